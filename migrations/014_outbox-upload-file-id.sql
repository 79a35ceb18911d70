-- Up Migration
-- The file Slack reserved for an upload's latest attempt (files.getUploadURLExternal), recorded before the
-- file can be shared: after an attempt whose answer was lost, the deliverer looks for a message of the
-- bot's carrying this file, and uploads again only if there is none.
ALTER TABLE slack_outbox ADD COLUMN upload_file_id text;

-- Down Migration
ALTER TABLE slack_outbox DROP COLUMN upload_file_id;
