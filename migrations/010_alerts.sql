-- Up Migration
-- Alertmanager deliveries (POST /alertmanager on web). A group is one Slack message per firing episode;
-- its alerts are kept by fingerprint as last reported; each (group, alert, status, start) is recorded once,
-- so redeliveries and two web replicas handed the same notification post nothing new.
CREATE TABLE alert_groups (
  -- sha256(group_key), shortened: names the Slack message (outbox key) and the buttons' values.
  id               TEXT PRIMARY KEY,
  group_key        TEXT NOT NULL UNIQUE,
  receiver         TEXT NOT NULL,
  group_labels     JSONB NOT NULL,
  external_url     TEXT NOT NULL DEFAULT '',
  channel          TEXT NOT NULL,
  truncated_alerts INTEGER NOT NULL DEFAULT 0,
  -- Bumped when the group fires again after all its alerts resolved: a new message, a new incident.
  episode          INTEGER NOT NULL DEFAULT 0,
  firing           BOOLEAN NOT NULL DEFAULT false,
  -- The incident this episode opened (critical alerts); cleared by a new episode.
  incident_id      TEXT,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE alert_instances (
  group_id      TEXT NOT NULL REFERENCES alert_groups (id) ON DELETE CASCADE,
  fingerprint   TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
  labels        JSONB NOT NULL,
  annotations   JSONB NOT NULL,
  starts_at     TIMESTAMPTZ NOT NULL,
  ends_at       TIMESTAMPTZ,
  generator_url TEXT NOT NULL DEFAULT '',
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (group_id, fingerprint)
);

CREATE TABLE alert_deliveries (
  group_key   TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status      TEXT NOT NULL,
  -- Part of the key: the same alert firing again later (a new start) is news, its redelivery is not.
  starts_at   TIMESTAMPTZ NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (group_key, fingerprint, status, starts_at)
);
CREATE INDEX alert_deliveries_received_idx ON alert_deliveries (received_at);

-- Down Migration
DROP TABLE alert_deliveries;
DROP TABLE alert_instances;
DROP TABLE alert_groups;
