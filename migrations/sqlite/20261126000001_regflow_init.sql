-- regflow's schema on SQLite. Every table is prefixed `regflow_`; instants are
-- microseconds since 1970-01-01 UTC, flags 0/1, documents JSON text.

-- One row per case: the projection of its events, guarded by `version` (its last sequence).
CREATE TABLE IF NOT EXISTS regflow_cases (
    id                TEXT    PRIMARY KEY,
    centre            TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    category          TEXT    NOT NULL,
    channel           TEXT    NOT NULL,
    priority          TEXT    NOT NULL,
    priority_class    INTEGER NOT NULL,
    unit              TEXT    NOT NULL,
    unit_effect       TEXT,
    state             TEXT    NOT NULL,
    is_open           INTEGER NOT NULL,
    instant           INTEGER NOT NULL,
    pending_tasks     TEXT    NOT NULL,
    accepted_at       INTEGER,
    promise_due_at    INTEGER,
    statutory_due_at  INTEGER,
    provisional       INTEGER NOT NULL,
    recorded_at       INTEGER,
    completed_at      INTEGER,
    working_days_used INTEGER,
    on_time           INTEGER,
    within_statute    INTEGER,
    extended_days     INTEGER NOT NULL,
    suspensions       INTEGER NOT NULL,
    rating            INTEGER,
    version           INTEGER NOT NULL,
    head_hash         TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS regflow_cases_queue ON regflow_cases (centre, state, priority_class, promise_due_at);
CREATE INDEX IF NOT EXISTS regflow_cases_unit ON regflow_cases (unit, recorded_at);
CREATE INDEX IF NOT EXISTS regflow_cases_created ON regflow_cases (centre, created_at);

-- Who applied: "my business" (我的业务) by ID number.
CREATE TABLE IF NOT EXISTS regflow_case_applicants (
    party_id          TEXT    NOT NULL,
    case_id           TEXT    NOT NULL REFERENCES regflow_cases (id),
    PRIMARY KEY (party_id, case_id)
);

-- The append-only history: one row per change, chained by SHA-256.
CREATE TABLE IF NOT EXISTS regflow_events (
    case_id           TEXT    NOT NULL REFERENCES regflow_cases (id),
    seq               INTEGER NOT NULL,
    at                INTEGER NOT NULL,
    command           TEXT    NOT NULL,
    actor             TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    prev_hash         TEXT    NOT NULL,
    hash              TEXT    NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- Armed deadline alerts and automatic resumptions; fired once, never deleted once fired.
CREATE TABLE IF NOT EXISTS regflow_timers (
    case_id           TEXT    NOT NULL REFERENCES regflow_cases (id),
    timer             TEXT    NOT NULL,
    due_at            INTEGER NOT NULL,
    fired_at          INTEGER,
    PRIMARY KEY (case_id, timer, due_at)
);
CREATE INDEX IF NOT EXISTS regflow_timers_due ON regflow_timers (due_at) WHERE fired_at IS NULL;

-- Idempotency keys of commands from outside systems.
CREATE TABLE IF NOT EXISTS regflow_idempotency (
    key               TEXT    PRIMARY KEY,
    case_id           TEXT    NOT NULL,
    request_hash      TEXT    NOT NULL,
    result            TEXT    NOT NULL,
    created_at        INTEGER NOT NULL
);

-- Calendars loaded at run time, in load order.
CREATE TABLE IF NOT EXISTS regflow_calendars (
    seq               INTEGER PRIMARY KEY,
    version           TEXT    NOT NULL,
    csv               TEXT    NOT NULL,
    loaded_at         INTEGER NOT NULL
);
