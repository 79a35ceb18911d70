-- Up Migration
-- A run that changes every target under a prefix at once (a database rollback stops every service of its
-- environment: 'service:production/'). While it is active no run on a target under the prefix is created,
-- and it is not created while one is (run creation checks both ways under one advisory lock).
ALTER TABLE runs ADD COLUMN covers TEXT;
CREATE INDEX runs_active_covers_idx ON runs (covers) WHERE covers IS NOT NULL AND status IN ('queued', 'running', 'paused');
CREATE INDEX runs_active_target_idx ON runs (target text_pattern_ops) WHERE status IN ('queued', 'running', 'paused');
-- Database rollbacks already under way (a restore can take hours) cover their environment's services too.
UPDATE runs SET covers = 'service:' || (input->>'environment') || '/'
 WHERE kind = 'rollback database' AND status IN ('queued', 'running', 'paused') AND input ? 'environment';

-- Down Migration
DROP INDEX runs_active_target_idx;
DROP INDEX runs_active_covers_idx;
ALTER TABLE runs DROP COLUMN covers;
