-- Up Migration
-- What the Disaster Recovery runs found: backup verifications and DR drills, one row per run (the run id),
-- written by the run's last step. `dr drills` lists them with trends; the digest shows the latest of each.
CREATE TABLE dr_records (
  run_id         TEXT PRIMARY KEY,
  kind           TEXT NOT NULL CHECK (kind IN ('verification', 'drill')),
  environment    TEXT NOT NULL,
  backup_name    TEXT,
  passed         BOOLEAN NOT NULL,
  detail         TEXT NOT NULL,
  -- How old the backup was when the restore began: the data a real recovery would lose (RPO).
  backup_age_ms  BIGINT,
  -- Drills: from the start of the restore until the restored platform passed its tests.
  recovery_ms    BIGINT,
  rto_ms         BIGINT,
  rpo_ms         BIGINT,
  started_at     TIMESTAMPTZ NOT NULL,
  finished_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX dr_records_kind_idx ON dr_records (kind, finished_at DESC);

-- Down Migration
DROP TABLE dr_records;
