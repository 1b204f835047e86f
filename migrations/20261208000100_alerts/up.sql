-- Alerts for researchers (docs/alerts.md): rules with their evaluation state, the history
-- of alerts, and the delivery log of webhook attempts.
--
-- A rule's settings are the domain's `RuleSpec` as JSON (`spec`): read whole, never queried
-- inside; the columns beside it are what SQL filters, joins and cascades on. The state
-- machine's memory (`state`, the domain's `RuleState`) is JSON too, next to `status` for
-- the dashboard's filters. Instants are timestamptz: these tables are ours, not upstream's.

CREATE TABLE alert_rule (
    id bigserial NOT NULL,
    cell_id integer NOT NULL,
    logger_id integer,
    name text NOT NULL,
    spec jsonb NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    -- Signs webhook deliveries; shown once at creation. Stored in clear: signing needs it.
    webhook_secret text,
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Evaluation: due when next_eval_at has passed; `claim` changes with every claim so a
    -- late writer cannot overwrite a newer evaluation.
    next_eval_at timestamptz NOT NULL DEFAULT '-infinity',
    claim bigint NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'ok',
    state jsonb NOT NULL DEFAULT '{}',
    -- The latest event of this rule (open while firing).
    last_event_id bigint,
    CONSTRAINT alert_rule_pkey PRIMARY KEY (id),
    CONSTRAINT alert_rule_cell_id_fkey FOREIGN KEY (cell_id) REFERENCES cell (id) ON DELETE CASCADE,
    CONSTRAINT alert_rule_logger_id_fkey FOREIGN KEY (logger_id) REFERENCES logger (id) ON DELETE CASCADE,
    CONSTRAINT alert_rule_created_by_fkey FOREIGN KEY (created_by) REFERENCES "user" (id) ON DELETE CASCADE,
    CONSTRAINT ck_alert_rule_status CHECK (status IN ('ok', 'firing', 'resolved'))
);
-- The claim: enabled rules in due order.
CREATE INDEX ix_alert_rule_due ON alert_rule (next_eval_at) WHERE enabled;
CREATE INDEX ix_alert_rule_cell_id ON alert_rule (cell_id);
CREATE INDEX ix_alert_rule_logger_id ON alert_rule (logger_id);
CREATE INDEX ix_alert_rule_created_by ON alert_rule (created_by);

CREATE TABLE alert_event (
    id bigserial NOT NULL,
    rule_id bigint NOT NULL,
    cell_id integer NOT NULL,
    rule_name text NOT NULL,
    severity text NOT NULL,
    fired_at timestamptz NOT NULL,
    fired_value double precision,
    resolved_at timestamptz,
    resolved_value double precision,
    CONSTRAINT alert_event_pkey PRIMARY KEY (id),
    CONSTRAINT alert_event_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES alert_rule (id) ON DELETE CASCADE,
    CONSTRAINT alert_event_cell_id_fkey FOREIGN KEY (cell_id) REFERENCES cell (id) ON DELETE CASCADE
);
CREATE INDEX ix_alert_event_cell_id_fired_at ON alert_event (cell_id, fired_at DESC);
CREATE INDEX ix_alert_event_rule_id_fired_at ON alert_event (rule_id, fired_at DESC);
CREATE INDEX ix_alert_event_fired_at ON alert_event (fired_at DESC);

CREATE TABLE alert_webhook_delivery (
    id bigserial NOT NULL,
    rule_id bigint NOT NULL,
    delivery_id text NOT NULL,
    url text NOT NULL,
    attempted_at timestamptz NOT NULL,
    status integer,
    elapsed_ms bigint,
    error text,
    CONSTRAINT alert_webhook_delivery_pkey PRIMARY KEY (id),
    CONSTRAINT alert_webhook_delivery_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES alert_rule (id) ON DELETE CASCADE
);
CREATE INDEX ix_alert_webhook_delivery_rule_id ON alert_webhook_delivery (rule_id, attempted_at DESC);
