-- Up Migration
-- Two-person approval: a request carries the exact plan that was approved (and its hash).
CREATE TABLE approval_requests (
  id                  TEXT PRIMARY KEY,
  action              TEXT NOT NULL,
  permission          TEXT NOT NULL,
  arguments           JSONB NOT NULL,
  plan                JSONB NOT NULL,
  plan_hash           TEXT NOT NULL,
  reason              TEXT NOT NULL,
  requester           TEXT NOT NULL,
  team_id             TEXT NOT NULL,
  channel_id          TEXT NOT NULL,
  request_id          TEXT NOT NULL,
  required_approvals  INT NOT NULL DEFAULT 1 CHECK (required_approvals >= 1),
  status              TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled', 'expired', 'executed', 'failed', 'superseded')),
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at          TIMESTAMPTZ NOT NULL,
  decided_by          TEXT,
  decided_at          TIMESTAMPTZ,
  decision_reason     TEXT,
  message_channel     TEXT,
  message_ts          TEXT,
  result              TEXT
);
CREATE INDEX approval_requests_pending_idx ON approval_requests (expires_at) WHERE status = 'pending';

-- One row per approver and request: the same person can never count twice.
CREATE TABLE approval_votes (
  request_id  TEXT NOT NULL REFERENCES approval_requests (id),
  approver    TEXT NOT NULL,
  at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, approver)
);

-- Destructive actions run alone with --break-glass, each awaiting a second person's review.
CREATE TABLE break_glass_uses (
  id           TEXT PRIMARY KEY,
  action       TEXT NOT NULL,
  arguments    JSONB NOT NULL,
  plan         JSONB NOT NULL,
  reason       TEXT NOT NULL,
  used_by      TEXT NOT NULL,
  team_id      TEXT NOT NULL,
  channel_id   TEXT NOT NULL,
  request_id   TEXT NOT NULL,
  at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  reviewed_by  TEXT,
  reviewed_at  TIMESTAMPTZ,
  review_note  TEXT
);
CREATE INDEX break_glass_unreviewed_idx ON break_glass_uses (at) WHERE reviewed_by IS NULL;

-- Platform switches the runbook flips (trading, maintenance mode), with who changed them last.
CREATE TABLE platform_state (
  key         TEXT PRIMARY KEY,
  value       JSONB NOT NULL,
  updated_by  TEXT NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  request_id  TEXT NOT NULL
);

-- Down Migration
DROP TABLE platform_state;
DROP TABLE break_glass_uses;
DROP TABLE approval_votes;
DROP TABLE approval_requests;
