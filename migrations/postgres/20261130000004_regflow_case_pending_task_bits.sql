-- The tasks a case still waits for, as bits of `Task::bit` (1 transaction_filing, 2 tax),
-- instead of a comma-framed list matched with LIKE.
ALTER TABLE regflow_cases ADD COLUMN pending_task_bits BIGINT NOT NULL DEFAULT 0;
UPDATE regflow_cases SET pending_task_bits =
    (CASE WHEN pending_tasks LIKE '%,transaction_filing,%' THEN 1 ELSE 0 END)
  + (CASE WHEN pending_tasks LIKE '%,tax,%' THEN 2 ELSE 0 END);
ALTER TABLE regflow_cases DROP COLUMN pending_tasks;
