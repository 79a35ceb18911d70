-- Up Migration
-- One row per digest post: scheduled ticks keyed by (digest, tick time), on-demand posts by request id.
-- The row is claimed before posting, so however many workers see a tick, one of them posts it.
CREATE TABLE digest_posts (
  digest       TEXT NOT NULL,
  tick_key     TEXT NOT NULL,
  channel      TEXT NOT NULL,
  -- The BullMQ job that claimed the post: its own retries (429, crash) may post; nobody else may.
  claimed_by   TEXT NOT NULL,
  claimed_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  message_ts   TEXT,
  posted_at    TIMESTAMPTZ,
  PRIMARY KEY (digest, tick_key)
);
CREATE INDEX digest_posts_claimed_idx ON digest_posts (claimed_at DESC);

-- Down Migration
DROP TABLE digest_posts;
