-- The bodies of HTTP imports (POST /api/cells/<id>/imports) waiting for their job, and the
-- error report once it ran. A table rather than a file: every worker of a fleet (RabbitMQ
-- consumers on other machines) reads the same database, and the body goes away with the
-- row (the job drops it when done; rows older than exports.retention_hours are deleted).
-- SQL only (not in schema.rs).
CREATE TABLE import_upload (
    id uuid NOT NULL,
    cell_id integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    body bytea,
    errors bytea,
    CONSTRAINT import_upload_pkey PRIMARY KEY (id),
    CONSTRAINT import_upload_cell_id_fkey FOREIGN KEY (cell_id)
        REFERENCES cell (id) ON DELETE CASCADE
);
CREATE INDEX idx_import_upload_cell_id ON import_upload (cell_id);
CREATE INDEX idx_import_upload_created_at ON import_upload (created_at);
