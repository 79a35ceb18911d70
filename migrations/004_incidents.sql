-- Up Migration
-- Incidents: readable ids allocated per day (INC-20261123-003), one row per incident.
CREATE TABLE incident_days (
  day       DATE PRIMARY KEY,
  last_seq  INT NOT NULL
);

CREATE TABLE incidents (
  id                TEXT PRIMARY KEY,
  -- Opening twice with one request id (a retried rollback step) finds the first incident.
  request_id        TEXT NOT NULL UNIQUE,
  title             TEXT NOT NULL,
  description       TEXT NOT NULL DEFAULT '',
  severity          TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  type              TEXT NOT NULL CHECK (type IN ('ops', 'security')),
  systems           TEXT[] NOT NULL DEFAULT '{}',
  status            TEXT NOT NULL DEFAULT 'investigating'
                    CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
  requested_by      TEXT NOT NULL,
  team_id           TEXT NOT NULL,
  origin_channel    TEXT,
  commander         TEXT,
  -- The war-room name being claimed is recorded before conversations.create, the id right after it:
  -- a retry adopts the channel instead of creating a second one.
  channel_name      TEXT,
  channel_id        TEXT UNIQUE,
  template_ts       TEXT,
  checklist_ts      TEXT,
  -- War-room steps already done (topic, invited, pinned, announced, ...), so a retry skips them.
  setup             JSONB NOT NULL DEFAULT '{}',
  phases_done       JSONB NOT NULL DEFAULT '{}',
  escalation_level  INT NOT NULL DEFAULT 1,
  acknowledged_by   TEXT,
  acknowledged_at   TIMESTAMPTZ,
  -- Bumped by every update and every reminder; a reminder job only fires for the current value.
  reminder_seq      INT NOT NULL DEFAULT 0,
  next_update_due   TIMESTAMPTZ,
  summary           TEXT,
  resolved_by       TEXT,
  created_at        TIMESTAMPTZ NOT NULL,
  updated_at        TIMESTAMPTZ NOT NULL,
  resolved_at       TIMESTAMPTZ
);
CREATE INDEX incidents_open_idx ON incidents (created_at) WHERE status <> 'resolved';

-- Everything that happened to an incident, for the timeline and the postmortem.
CREATE TABLE incident_events (
  id           BIGSERIAL PRIMARY KEY,
  incident_id  TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at           TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  kind         TEXT NOT NULL,
  actor        TEXT NOT NULL,
  text         TEXT NOT NULL,
  data         JSONB NOT NULL DEFAULT '{}',
  -- Set for things that happen at most once (escalation to a level): a second attempt is a no-op.
  once_key     TEXT,
  UNIQUE (incident_id, once_key)
);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, at);

-- Down Migration
DROP TABLE incident_events;
DROP TABLE incidents;
DROP TABLE incident_days;
