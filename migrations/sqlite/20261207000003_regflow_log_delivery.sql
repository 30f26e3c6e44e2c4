-- The daily 登簿日志 goes to its target like a report (SPEC 14.2): queued when closed,
-- leased by a deliverer, `sent` once the target's handler or webhook took it.
ALTER TABLE regflow_register_logs ADD COLUMN state TEXT NOT NULL DEFAULT 'queued';
ALTER TABLE regflow_register_logs ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE regflow_register_logs ADD COLUMN sent_at INTEGER;
CREATE INDEX IF NOT EXISTS regflow_register_logs_queued ON regflow_register_logs (lease_until) WHERE state = 'queued';
