-- Up Migration
-- A run paused for a decision (a failed step: retry / roll back / abort; a KPI warning: continue / roll
-- back). The pause is written before its buttons are posted; a paused run holds its target but no
-- worker. The first decision wins (decided_at set once); an undecided pause past expires_at escalates.
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check
  CHECK (status IN ('queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled'));
ALTER TABLE run_steps DROP CONSTRAINT run_steps_status_check;
ALTER TABLE run_steps ADD CONSTRAINT run_steps_status_check
  CHECK (status IN ('pending', 'running', 'paused', 'succeeded', 'failed', 'skipped', 'cancelled'));

CREATE TABLE run_pauses (
  id           TEXT PRIMARY KEY,
  run_id       TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_index   INT NOT NULL,
  step_id      TEXT NOT NULL,
  -- 'step': the step asked; 'failure': the step failed and its run kind asked what to do.
  cause        TEXT NOT NULL CHECK (cause IN ('step', 'failure')),
  question     TEXT NOT NULL,
  options      JSONB NOT NULL,
  error        TEXT,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  expires_at   TIMESTAMPTZ NOT NULL,
  option_id    TEXT,
  decided_by   TEXT,
  decided_at   TIMESTAMPTZ,
  escalated_at TIMESTAMPTZ,
  escalation   TEXT
);
CREATE INDEX run_pauses_run_idx ON run_pauses (run_id, created_at DESC);
CREATE INDEX run_pauses_expiring_idx ON run_pauses (expires_at) WHERE decided_at IS NULL AND escalated_at IS NULL;

-- Down Migration
DROP TABLE run_pauses;
ALTER TABLE run_steps DROP CONSTRAINT run_steps_status_check;
ALTER TABLE run_steps ADD CONSTRAINT run_steps_status_check
  CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'));
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check
  CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'));
