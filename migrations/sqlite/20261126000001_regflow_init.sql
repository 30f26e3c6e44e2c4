-- regflow's schema on SQLite. Every table is prefixed `regflow_`.

-- One row per case: the projection of its events, guarded by `version` (its last sequence).
CREATE TABLE IF NOT EXISTS regflow_cases (
    id           TEXT    PRIMARY KEY,
    centre       TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    body         TEXT    NOT NULL,             -- the case as JSON
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);

-- The append-only history: one row per change, chained by SHA-256.
CREATE TABLE IF NOT EXISTS regflow_events (
    case_id      TEXT    NOT NULL REFERENCES regflow_cases (id),
    seq          INTEGER NOT NULL,
    at           TEXT    NOT NULL,
    body         TEXT    NOT NULL,             -- the event as JSON
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL,
    PRIMARY KEY (case_id, seq)
);
