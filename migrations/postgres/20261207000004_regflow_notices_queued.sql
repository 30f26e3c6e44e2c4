-- Notices travel the alert delivery queue (SPEC 17 §6): a queued row has a `type`
-- (`deadline` for a case's alert; a notice's type otherwise) and, for a notice, the
-- notice's id. A notice's row has no case, so the row's uniqueness takes the notice id in.
ALTER TABLE regflow_alerts ADD COLUMN type TEXT NOT NULL DEFAULT 'deadline';
ALTER TABLE regflow_alerts ADD COLUMN notice_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE regflow_alerts DROP CONSTRAINT IF EXISTS regflow_alerts_case_id_clock_level_due_at_key;
ALTER TABLE regflow_alerts ADD CONSTRAINT regflow_alerts_unique UNIQUE (case_id, clock, level, due_at, notice_id);
