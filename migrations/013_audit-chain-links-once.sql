-- Up Migration
-- Each row's predecessor is linked once: two writers that extend the chain from the same row cannot
-- both commit (a fork is refused at the database), so a writer can append in one statement and retry
-- on refusal instead of holding a lock around a read and a write.
ALTER TABLE audit_log ADD CONSTRAINT audit_log_prev_hash_key UNIQUE (prev_hash);

-- Down Migration
ALTER TABLE audit_log DROP CONSTRAINT audit_log_prev_hash_key;
