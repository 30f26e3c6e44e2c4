-- Information queries with authorisation (SPEC 15.2). The query log holds each decision on
-- a query (refused ones included) and each service read of a unit page, chained per centre
-- (a line's hash covers the line before it) and never updated. A query's answer is kept
-- with its signed 查询结果证明 (RFC 8785 bytes, like a certificate's).
CREATE TABLE IF NOT EXISTS regflow_query_log_heads (
    centre TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS regflow_query_log (
    centre TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    unit TEXT NOT NULL,
    querier_id TEXT,
    outcome TEXT NOT NULL,
    case_id TEXT,
    line TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (centre, seq)
);
CREATE INDEX IF NOT EXISTS regflow_query_log_unit ON regflow_query_log (centre, unit, seq);
CREATE INDEX IF NOT EXISTS regflow_query_log_querier ON regflow_query_log (centre, querier_id, seq);

CREATE TABLE IF NOT EXISTS regflow_query_results (
    id TEXT PRIMARY KEY,
    centre TEXT NOT NULL,
    case_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    number TEXT NOT NULL,
    hash TEXT NOT NULL,
    result_hash TEXT NOT NULL,
    key_id TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    page TEXT NOT NULL,
    file TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS regflow_query_results_case ON regflow_query_results (centre, case_id);
