-- Bearer tokens of the HTTP service (SPEC 10): each is bound to one actor of one centre.
-- Only the SHA-256 of a token is kept; `id` is its public part, for listing and revoking.
CREATE TABLE IF NOT EXISTS regflow_tokens (
    id          TEXT    PRIMARY KEY,
    hash        TEXT    NOT NULL,
    centre      TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    roles       TEXT    NOT NULL,
    name        TEXT,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
