-- Up Migration
-- Append-only record of everything the bot did and was asked to do.
CREATE TABLE audit_log (
  id          BIGSERIAL PRIMARY KEY,
  at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  request_id  TEXT NOT NULL,
  team_id     TEXT,
  channel_id  TEXT,
  user_id     TEXT,
  action      TEXT NOT NULL,
  arguments   JSONB NOT NULL DEFAULT '{}'::jsonb,
  outcome     TEXT NOT NULL,
  detail      TEXT,
  -- Tamper evidence: sha256 over this row's content and the previous row's hash.
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_request_idx ON audit_log (request_id);

-- Updates and deletes are refused at the database, not only in code.
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Down Migration
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
