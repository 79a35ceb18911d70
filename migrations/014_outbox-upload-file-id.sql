-- Up Migration
-- The files Slack reserved for an upload's attempts (files.getUploadURLExternal), each recorded before it
-- can be shared: after an attempt whose outcome is unknown, the deliverer looks for a message of the bot's
-- carrying any of them, and uploads again only if there is none.
ALTER TABLE slack_outbox ADD COLUMN upload_file_ids text[] NOT NULL DEFAULT '{}';

-- Down Migration
ALTER TABLE slack_outbox DROP COLUMN upload_file_ids;
