-- Idempotency keys are scoped to the calling centre and actor (SPEC 6): the same key from
-- another centre or another actor is another request, never the first one's result.
CREATE TABLE IF NOT EXISTS regflow_idempotency_keys (
    centre            TEXT    NOT NULL,
    actor             TEXT    NOT NULL,
    key               TEXT    NOT NULL,
    case_id           TEXT    NOT NULL,
    request_hash      TEXT    NOT NULL,
    result            TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    PRIMARY KEY (centre, actor, key)
);
-- Keys stored before keep working for the centre of their case and the actor of their
-- first entry.
INSERT INTO regflow_idempotency_keys (centre, actor, key, case_id, request_hash, result, created_at)
SELECT c.centre, COALESCE(json_extract(i.result, '$.entries[0].event.actor'), ''), i.key, i.case_id,
       i.request_hash, i.result, i.created_at
FROM regflow_idempotency i JOIN regflow_cases c ON c.id = i.case_id
ON CONFLICT DO NOTHING;
DROP TABLE regflow_idempotency;
