-- Up Migration
-- Long runbook operations: a run is a list of idempotent steps, each checkpointed here so that a run
-- interrupted on one worker resumes at the step it was in, on another.
CREATE TABLE runs (
  id                 TEXT PRIMARY KEY,
  kind               TEXT NOT NULL,
  action             TEXT NOT NULL,
  input              JSONB NOT NULL,
  request_id         TEXT NOT NULL,
  requested_by       TEXT NOT NULL,
  team_id            TEXT NOT NULL,
  approval_id        TEXT,
  -- A double click (same approval) finds the run the first click created.
  idempotency_key    TEXT UNIQUE,
  -- What the run changes ('env:production'); NULL for read-only runs, which never wait for anyone.
  target             TEXT,
  on_busy            TEXT NOT NULL DEFAULT 'refuse' CHECK (on_busy IN ('queue', 'refuse')),
  status             TEXT NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  step_count         INT NOT NULL,
  current_step       INT NOT NULL DEFAULT 0,
  cancel_requested   BOOLEAN NOT NULL DEFAULT false,
  cancelled_by       TEXT,
  thread_channel     TEXT,
  thread_ts          TEXT,
  status_message_ts  TEXT,
  worker_id          TEXT,
  resumed_count      INT NOT NULL DEFAULT 0,
  error              TEXT,
  summary            TEXT,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  started_at         TIMESTAMPTZ,
  finished_at        TIMESTAMPTZ
);
CREATE INDEX runs_created_idx ON runs (created_at DESC);
CREATE INDEX runs_active_idx ON runs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX runs_waiting_idx ON runs (target, created_at) WHERE status = 'queued' AND target IS NOT NULL;

CREATE TABLE run_steps (
  run_id       TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_index   INT NOT NULL,
  step_id      TEXT NOT NULL,
  title        TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled')),
  attempt      INT NOT NULL DEFAULT 0,
  started_at   TIMESTAMPTZ,
  finished_at  TIMESTAMPTZ,
  summary      TEXT,
  output       JSONB,
  error        TEXT,
  worker_id    TEXT,
  PRIMARY KEY (run_id, step_index)
);

-- One change per target: the run holding a target's row is the only one allowed to change it. The
-- primary key makes check-and-claim atomic whichever process tries; finishing hands the row over.
CREATE TABLE run_targets (
  target      TEXT PRIMARY KEY,
  run_id      TEXT NOT NULL UNIQUE REFERENCES runs (id),
  claimed_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

-- Down Migration
DROP TABLE run_targets;
DROP TABLE run_steps;
DROP TABLE runs;
