-- Up Migration
-- Replay protection when Redis is down: each signed Slack delivery (trigger_id, event_id) is recorded once.
-- The primary key makes "first sighting" atomic across replicas; rows older than the replay window are pruned.
CREATE TABLE slack_deliveries (
  delivery_key  TEXT PRIMARY KEY,
  seen_at       TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX slack_deliveries_seen_idx ON slack_deliveries (seen_at);

-- Down Migration
DROP TABLE slack_deliveries;
