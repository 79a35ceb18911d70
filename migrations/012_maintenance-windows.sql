-- Up Migration
-- Maintenance windows, one row per occurrence: announced (its plan posted for approval), approved,
-- running (its run id), or skipped (not approved when it opened). The state moves only forward, each
-- move a conditional UPDATE, so however many workers look at a window it is announced, started or
-- skipped once. On-demand runs (`maintenance run <window> --now`) get a row too, for "last results".
CREATE TABLE maintenance_windows (
  id            TEXT PRIMARY KEY,
  window_name   TEXT NOT NULL,
  environment   TEXT NOT NULL,
  starts_at     TIMESTAMPTZ NOT NULL,
  ends_at       TIMESTAMPTZ NOT NULL,
  on_demand     BOOLEAN NOT NULL DEFAULT false,
  state         TEXT NOT NULL CHECK (state IN ('announced', 'approved', 'running', 'skipped')),
  approval_id   TEXT,
  approved_by   TEXT[] NOT NULL DEFAULT '{}',
  run_id        TEXT,
  announced_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX maintenance_windows_name_idx ON maintenance_windows (window_name, starts_at DESC);

-- Down Migration
DROP TABLE maintenance_windows;
