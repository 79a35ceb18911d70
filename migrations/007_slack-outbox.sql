-- Up Migration
-- The durable Slack outbox: every message the bot posts, edits or uploads is a row here, written with the
-- state change it reports, and delivered by the outbox deliverer (src/slack/outbox-deliverer.ts).
-- One row is one Slack message: later content for it bumps `version` (edits coalesce, latest wins); the
-- deliverer posts it once (its `metadata` carries the key, so a retry after a lost answer finds the first
-- copy) and then edits it while `delivered_version < version`.
CREATE TABLE slack_outbox (
  key               TEXT PRIMARY KEY,
  kind              TEXT NOT NULL CHECK (kind IN ('message', 'upload')),
  channel           TEXT NOT NULL,
  thread_ts         TEXT,
  -- A reply to another outbox message not posted yet: its ts is looked up when this one is delivered.
  thread_key        TEXT,
  -- text/blocks for messages; filename/content/title/comment for uploads.
  -- JSON, not JSONB: Block Kit goes to Slack exactly as written (JSONB would reorder its keys).
  payload           JSON NOT NULL,
  version           INTEGER NOT NULL DEFAULT 1,
  delivered_version INTEGER NOT NULL DEFAULT 0,
  -- Set once posted (or given, for edits of a message posted elsewhere).
  ts                TEXT,
  state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'expired')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  -- A post attempt was made whose answer we may not have seen: look for the first copy before posting again.
  post_attempted    BOOLEAN NOT NULL DEFAULT false,
  next_attempt_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  -- Why it waits: 'backoff' (Slack or the network failed; retried early once Slack answers again) or
  -- 'retry-after' (a 429: never before then).
  waiting_on        TEXT,
  -- Past this the content is no longer worth delivering (e.g. "Working on it…" an hour later).
  expires_at        TIMESTAMPTZ,
  last_error        TEXT,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  delivered_at      TIMESTAMPTZ
);
CREATE INDEX slack_outbox_due_idx ON slack_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX slack_outbox_created_idx ON slack_outbox (created_at);

-- Down Migration
DROP TABLE slack_outbox;
