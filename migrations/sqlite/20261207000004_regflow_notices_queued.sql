-- Notices travel the alert delivery queue (SPEC 17 §6): a queued row has a `type`
-- (`deadline` for a case's alert; a notice's type otherwise) and, for a notice, the
-- notice's id. A notice's row has no case, so the row's uniqueness takes the notice id in.
-- SQLite cannot change a table's UNIQUE constraint in place: the table is rebuilt, its ids
-- kept, so every consumer's cursor still points where it did.
CREATE TABLE regflow_alerts_queue (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    centre      TEXT    NOT NULL,
    case_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    clock       TEXT    NOT NULL,
    level       TEXT    NOT NULL,
    due_at      INTEGER NOT NULL,
    raised_at   INTEGER NOT NULL,
    type        TEXT    NOT NULL DEFAULT 'deadline',
    notice_id   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (case_id, clock, level, due_at, notice_id)
);
INSERT INTO regflow_alerts_queue (id, centre, case_id, kind, clock, level, due_at, raised_at)
    SELECT id, centre, case_id, kind, clock, level, due_at, raised_at FROM regflow_alerts ORDER BY id;
-- Ids are never given twice: the new table's sequence goes on from the old one's.
UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'regflow_alerts')
    WHERE name = 'regflow_alerts_queue';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'regflow_alerts_queue', seq FROM sqlite_sequence WHERE name = 'regflow_alerts'
    AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'regflow_alerts_queue');
DROP TABLE regflow_alerts;
ALTER TABLE regflow_alerts_queue RENAME TO regflow_alerts;
CREATE INDEX IF NOT EXISTS regflow_alerts_centre ON regflow_alerts (centre, id);
