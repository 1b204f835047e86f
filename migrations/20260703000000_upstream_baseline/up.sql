-- Upstream ENTS schema at alembic head 14612231efb8 (jlab-sensing/ENTS-backend), exactly as
-- its 23 alembic migrations materialise it on PostgreSQL 15: same tables, column names,
-- types, nullability, defaults, serial sequences (`<table>_id_seq`), and constraint and
-- index names (upstream-contract.md §1.2). Names upstream left to PostgreSQL are written
-- out here with the default PostgreSQL would have chosen, so an adopted upstream database
-- and a fresh one are indistinguishable. `alembic_version` is deliberately not created.
--
-- Time: the series and entity timestamps stay `timestamp without time zone`, as upstream,
-- and hold UTC. Changing them to `timestamptz` would rewrite every row of the largest
-- tables and change what upstream-era tools read; instead every connection of the
-- application sets `TimeZone` to UTC, so `now()` defaults and comparisons are UTC too.
-- New tables (from 20261129000001 on) use `timestamptz`.
--
-- Upstream quirks kept on purpose: no uniqueness on sensor (cell_id, name, measurement) or
-- logger.device_eui; cell_tag / cell_user / logger / tag foreign keys have no ON DELETE
-- action; the foreign key on tag.created_by is literally named "user".

CREATE TABLE "user" (
    id uuid NOT NULL,
    first_name varchar(255),
    last_name varchar(255),
    email varchar(255),
    password varchar(72) NOT NULL,
    api_key varchar(64),
    CONSTRAINT user_pkey PRIMARY KEY (id),
    CONSTRAINT user_email_key UNIQUE (email),
    CONSTRAINT uq_user_api_key UNIQUE (api_key)
);

CREATE TABLE oauth_token (
    id serial NOT NULL,
    user_id uuid,
    access_token varchar(255) NOT NULL,
    refresh_token varchar(255),
    updated_at timestamp without time zone DEFAULT now(),
    CONSTRAINT oauth_token_pkey PRIMARY KEY (id),
    CONSTRAINT oauth_token_access_token_key UNIQUE (access_token),
    CONSTRAINT oauth_token_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES "user" (id) ON DELETE CASCADE
);
CREATE INDEX ix_oauth_token_refresh_token ON oauth_token (refresh_token);

CREATE TABLE cell (
    id serial NOT NULL,
    name text NOT NULL,
    location text,
    latitude double precision,
    longitude double precision,
    user_id uuid,
    archive boolean NOT NULL DEFAULT false,
    CONSTRAINT cell_pkey PRIMARY KEY (id),
    CONSTRAINT cell_name_key UNIQUE (name),
    CONSTRAINT cell_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id)
);

CREATE TABLE logger (
    id serial NOT NULL,
    name text NOT NULL,
    uuid uuid NOT NULL,
    type text,
    device_eui text,
    description text,
    date_created timestamp without time zone NOT NULL,
    user_id uuid,
    CONSTRAINT logger_pkey PRIMARY KEY (id),
    CONSTRAINT logger_name_key UNIQUE (name),
    CONSTRAINT uq_logger_uuid UNIQUE (uuid),
    CONSTRAINT fk_logger_user_id FOREIGN KEY (user_id) REFERENCES "user" (id)
);

CREATE TABLE power_data (
    id serial NOT NULL,
    logger_id integer,
    cell_id integer NOT NULL,
    ts timestamp without time zone NOT NULL,
    current double precision,
    voltage double precision,
    ts_server timestamp without time zone DEFAULT now(),
    CONSTRAINT power_data_pkey PRIMARY KEY (id),
    CONSTRAINT power_data_logger_id_fkey FOREIGN KEY (logger_id) REFERENCES logger (id),
    CONSTRAINT power_data_cell_id_fkey FOREIGN KEY (cell_id)
        REFERENCES cell (id) ON DELETE CASCADE
);
CREATE INDEX ix_power_data_ts ON power_data (ts);
CREATE INDEX ix_power_data_ts_server ON power_data (ts_server);
CREATE INDEX idx_power_data_cell_id_ts ON power_data (cell_id, ts);

CREATE TABLE teros_data (
    id serial NOT NULL,
    cell_id integer NOT NULL,
    ts timestamp without time zone NOT NULL,
    vwc double precision,
    temp double precision,
    ec integer,
    ts_server timestamp without time zone DEFAULT now(),
    raw_vwc double precision,
    water_pot double precision,
    CONSTRAINT teros_data_pkey PRIMARY KEY (id),
    CONSTRAINT teros_data_cell_id_fkey FOREIGN KEY (cell_id)
        REFERENCES cell (id) ON DELETE CASCADE
);
CREATE INDEX ix_teros_data_ts ON teros_data (ts);
CREATE INDEX ix_teros_data_ts_server ON teros_data (ts_server);
CREATE INDEX idx_teros_data_cell_id_ts ON teros_data (cell_id, ts);

CREATE TABLE sensor (
    id serial NOT NULL,
    cell_id integer NOT NULL,
    measurement text NOT NULL,
    data_type text NOT NULL,
    unit text,
    name text NOT NULL,
    CONSTRAINT sensor_pkey PRIMARY KEY (id),
    CONSTRAINT sensor_cell_id_fkey FOREIGN KEY (cell_id)
        REFERENCES cell (id) ON DELETE CASCADE
);
CREATE INDEX idx_sensor_cell_id ON sensor (cell_id);

CREATE TABLE data (
    id serial NOT NULL,
    sensor_id integer NOT NULL,
    ts timestamp without time zone NOT NULL,
    ts_server timestamp without time zone DEFAULT now(),
    float_val double precision,
    int_val integer,
    text_val text,
    CONSTRAINT data_pkey PRIMARY KEY (id),
    CONSTRAINT data_sensor_id_fkey FOREIGN KEY (sensor_id)
        REFERENCES sensor (id) ON DELETE CASCADE
);
CREATE INDEX ix_data_ts ON data (ts);
CREATE INDEX ix_data_ts_server ON data (ts_server);
CREATE INDEX idx_data_sensor_id_ts ON data (sensor_id, ts);

CREATE TABLE tag (
    id serial NOT NULL,
    name text NOT NULL,
    description text,
    created_at timestamp without time zone,
    created_by uuid,
    CONSTRAINT tag_pkey PRIMARY KEY (id),
    CONSTRAINT tag_name_key UNIQUE (name),
    CONSTRAINT "user" FOREIGN KEY (created_by) REFERENCES "user" (id)
);

CREATE TABLE cell_tag (
    cell_id integer NOT NULL,
    tag_id integer NOT NULL,
    CONSTRAINT cell_tag_pkey PRIMARY KEY (cell_id, tag_id),
    CONSTRAINT cell_tag_cell_id_fkey FOREIGN KEY (cell_id) REFERENCES cell (id),
    CONSTRAINT cell_tag_tag_id_fkey FOREIGN KEY (tag_id) REFERENCES tag (id)
);

CREATE TABLE cell_user (
    cell_id integer NOT NULL,
    user_id uuid NOT NULL,
    CONSTRAINT cell_user_pkey PRIMARY KEY (cell_id, user_id),
    CONSTRAINT cell_user_cell_id_fkey FOREIGN KEY (cell_id) REFERENCES cell (id),
    CONSTRAINT cell_user_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id)
);
