-- Onward reporting (SPEC 14): one report per (entry, target), queued in the entry's
-- transaction. `message_id` is the report's current id (a retry mints a new one);
-- `lease_until` keeps deliverers sharing the database from handing it over twice.
CREATE TABLE IF NOT EXISTS regflow_reports (
    centre      TEXT    NOT NULL,
    entry_seq   INTEGER  NOT NULL,
    target      TEXT    NOT NULL,
    unit        TEXT    NOT NULL,
    area        TEXT    NOT NULL,
    class       INTEGER  NOT NULL,
    message_id  TEXT    NOT NULL,
    minted_at   INTEGER  NOT NULL,
    state       TEXT    NOT NULL,
    lease_until INTEGER  NOT NULL,
    sent_at     INTEGER,
    answered_at INTEGER,
    reason      TEXT,
    PRIMARY KEY (centre, entry_seq, target),
    UNIQUE (target, message_id)
);
CREATE INDEX IF NOT EXISTS regflow_reports_queued ON regflow_reports (lease_until) WHERE state = 'queued';

-- The daily sequence of message ids per (target, area, local date), in commit order.
CREATE TABLE IF NOT EXISTS regflow_report_sequences (
    target      TEXT    NOT NULL,
    area        TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    last        INTEGER  NOT NULL,
    PRIMARY KEY (target, area, day)
);

-- Every step of every report, appended: queued, sent, answered, retried.
CREATE TABLE IF NOT EXISTS regflow_report_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    centre      TEXT    NOT NULL,
    entry_seq   INTEGER  NOT NULL,
    target      TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    at          INTEGER  NOT NULL,
    action      TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    reason      TEXT
);
CREATE INDEX IF NOT EXISTS regflow_report_log_report ON regflow_report_log (centre, entry_seq, target);
