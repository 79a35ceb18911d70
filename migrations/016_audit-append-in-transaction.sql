-- Up Migration
-- An audit append made inside the transaction of the change it records (PgAuditLog.recordWith) calls this
-- with the number of rows it appended: none means another writer extended the chain since the end it
-- chained from. Raising aborts the transaction, so the change never commits without its audit rows; the
-- writer reads the chain's end again and makes the change again.
CREATE FUNCTION audit_chain_appended(appended bigint) RETURNS bigint AS $$
BEGIN
  IF appended = 0 THEN
    RAISE EXCEPTION 'audit chain moved: another writer appended first; the change is retried'
      USING ERRCODE = 'EA001';
  END IF;
  RETURN appended;
END $$ LANGUAGE plpgsql;

-- Down Migration
DROP FUNCTION audit_chain_appended(bigint);
