-- The alert delivery queue (SPEC 5.3): each alert is written here in the transaction that
-- writes it into its case's history, with a stable id. Consumers (the embedding
-- application's handler, webhooks) keep a cursor: the last id they acknowledged, and a
-- lease so that engines sharing a database do not deliver the same alert twice.
CREATE TABLE IF NOT EXISTS regflow_alerts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    centre      TEXT    NOT NULL,
    case_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    clock       TEXT    NOT NULL,
    level       TEXT    NOT NULL,
    due_at      INTEGER NOT NULL,
    raised_at   INTEGER NOT NULL,
    UNIQUE (case_id, clock, level, due_at)
);
CREATE INDEX IF NOT EXISTS regflow_alerts_centre ON regflow_alerts (centre, id);

CREATE TABLE IF NOT EXISTS regflow_alert_cursors (
    consumer    TEXT    PRIMARY KEY,
    last_id     INTEGER NOT NULL,
    lease_owner TEXT    NOT NULL,
    lease_until INTEGER NOT NULL
);
