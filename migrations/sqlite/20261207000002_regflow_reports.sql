-- Onward reporting (SPEC 14): one report per (entry, target), queued in the entry's
-- transaction. `message_id` is the report's current id (a retry mints a new one);
-- `lease_until` keeps deliverers sharing the database from handing it over twice. A
-- message id is unique per (target, area, date) within a century: its `yyMMdd` repeats
-- after a hundred years, so the table does not demand it unique for ever.
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
    overdue_at  INTEGER,
    PRIMARY KEY (centre, entry_seq, target)
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

-- Notices to a centre's supervisors besides case alerts (SPEC 17 §6): \`report_overdue\`,
-- \`unreported_entries\`, \`excess_reports\`. Each (type, subject) is raised once.
CREATE TABLE IF NOT EXISTS regflow_notices (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    centre      TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    due_at      INTEGER  NOT NULL,
    raised_at   INTEGER  NOT NULL,
    body        TEXT    NOT NULL,
    UNIQUE (type, subject)
);
CREATE INDEX IF NOT EXISTS regflow_notices_centre ON regflow_notices (centre, id);

-- The daily 登簿日志 (SPEC 14.2): one row per (centre, target, area, local date), closed once.
CREATE TABLE IF NOT EXISTS regflow_register_logs (
    centre      TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    area        TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    closed_at   INTEGER  NOT NULL,
    body        TEXT    NOT NULL,
    PRIMARY KEY (centre, target, area, day)
);

-- The last local date each centre's logs were closed for.
CREATE TABLE IF NOT EXISTS regflow_log_days (
    centre      TEXT    PRIMARY KEY,
    day         TEXT    NOT NULL
);
