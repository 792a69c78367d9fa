-- The audit log (docs/architecture.md, "D1 audit log"). Append-only: rows are written by each environment's Durable Object
-- from its outbox with INSERT … ON CONFLICT DO NOTHING, so a retried flush never doubles a row.
-- `hash` = sha256(prev_hash || canonical row), chained per environment by `seq`.
CREATE TABLE IF NOT EXISTS audit_log (
  id TEXT PRIMARY KEY,
  environment TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  before_json TEXT,
  after_json TEXT,
  reason TEXT,
  request_id TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (environment, seq)
);

CREATE INDEX IF NOT EXISTS audit_log_env_at ON audit_log (environment, at, seq);
CREATE INDEX IF NOT EXISTS audit_log_env_target ON audit_log (environment, target_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_env_actor ON audit_log (environment, actor, seq);

CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
