-- The register (SPEC 13): one chain of entries per centre, appended in the transaction of
-- the event that records each, never updated or deleted. `body` is the entry as hashed
-- (JSON); the other columns are what queries filter on and are checked against it.
CREATE TABLE IF NOT EXISTS regflow_register_entries (
    centre      TEXT    NOT NULL,
    seq         BIGINT  NOT NULL,
    unit        TEXT    NOT NULL,
    case_id     TEXT,
    entry_type  TEXT    NOT NULL,
    recorded_at BIGINT  NOT NULL,
    body        TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    PRIMARY KEY (centre, seq)
);
CREATE INDEX IF NOT EXISTS regflow_register_entries_unit ON regflow_register_entries (centre, unit, seq);
CREATE INDEX IF NOT EXISTS regflow_register_entries_case ON regflow_register_entries (case_id);
CREATE INDEX IF NOT EXISTS regflow_register_entries_day ON regflow_register_entries (centre, recorded_at);

-- Each centre's chain head: a recording locks it, so a centre's recordings serialise and
-- every entry chains after the one before.
CREATE TABLE IF NOT EXISTS regflow_register_heads (
    centre      TEXT    PRIMARY KEY,
    seq         BIGINT  NOT NULL,
    hash        TEXT    NOT NULL
);

-- When a unit's next right ends by itself (an objection or advance notice lapses, a
-- seizure expires): the watcher settles the unit then, once.
CREATE TABLE IF NOT EXISTS regflow_register_timers (
    centre      TEXT    NOT NULL,
    unit        TEXT    NOT NULL,
    due_at      BIGINT  NOT NULL,
    fired_at    BIGINT,
    PRIMARY KEY (centre, unit, due_at)
);
CREATE INDEX IF NOT EXISTS regflow_register_timers_due ON regflow_register_timers (due_at) WHERE fired_at IS NULL;
