import { GENESIS, hashOf, type AuditEntry } from '../audit/audit-log.ts';
import { storableJson, storableText } from './safe-text.ts';

/*
 * The audit chain's appends as PostgreSQL statements: entries chained after a known end, the statement that
 * appends them only if that end is still the chain's, and how a lost race reads.
 */

/**
 * Appends a batch after `$2`, the chain's end as the writer knows it, in one statement: rows in chain
 * order (ids are drawn as the sorted rows arrive, so ascending ids follow the chain, which `verify`
 * walks by id). It inserts nothing when `$2` is no longer the newest row (another replica wrote since,
 * or the database was restored to an earlier state), and a writer racing from the same row fails on
 * `audit_log_prev_hash_key`: either way the writer reads the end again and retries.
 */
export const APPEND_BATCH = `
  INSERT INTO audit_log (at, request_id, team_id, channel_id, user_id, action, arguments, outcome, detail, prev_hash, hash)
  SELECT r.at, r.request_id, r.team_id, r.channel_id, r.user_id, r.action, r.arguments, r.outcome, r.detail, r.prev_hash, r.hash
  FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (
    at timestamptz, request_id text, team_id text, channel_id text, user_id text, action text,
    arguments jsonb, outcome text, detail text, prev_hash text, hash text)) WITH ORDINALITY
    AS r(at, request_id, team_id, channel_id, user_id, action, arguments, outcome, detail, prev_hash, hash, ord)
  WHERE coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '${GENESIS}') = $2
  ORDER BY r.ord
  RETURNING id, hash`;

/**
 * APPEND_BATCH inside the transaction of the change it records: appending nothing (the chain moved)
 * raises AUDIT_CHAIN_MOVED (migration 016), which aborts that transaction.
 */
export const APPEND_IN_TRANSACTION = `WITH appended AS (${APPEND_BATCH}) SELECT audit_chain_appended((SELECT count(*) FROM appended))`;
export const AUDIT_CHAIN_MOVED = 'EA001';

/** Appends lost to another writer in a row before the write fails (each loss means another batch landed). */
export const MAX_APPEND_TRIES = 20;

/**
 * Another writer extended the chain from the same row first. Two replicas recording the same entry in the
 * same millisecond from the same row compute the same hash, so the database may name either constraint.
 */
const FORK_CONSTRAINTS = new Set(['audit_log_prev_hash_key', 'audit_log_hash_key']);
export const isForkRefused = (error: unknown): boolean => {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint !== undefined && FORK_CONSTRAINTS.has(constraint);
};

/** Free text is bounded so a 10 kB reason cannot bloat every export; arguments keep their structure. */
const MAX_FIELD_CHARS = 2_000;

export function storableEntry(entry: AuditEntry): AuditEntry {
  const text = (value: string | undefined) =>
    value === undefined ? undefined : storableText(value).slice(0, MAX_FIELD_CHARS);
  return {
    ...entry,
    requestId: text(entry.requestId) ?? '',
    teamId: text(entry.teamId),
    channelId: text(entry.channelId),
    userId: text(entry.userId),
    action: text(entry.action) ?? '',
    outcome: text(entry.outcome) ?? '',
    detail: text(entry.detail),
    arguments: entry.arguments === undefined ? undefined : storableJson(entry.arguments),
  };
}

/**
 * `entries` chained after `prevHash`, and the rows APPEND_BATCH takes. The batch is one JSON parameter
 * and the statement text never changes: building 11 parameters per row (and a statement as long as the
 * batch) cost more than the rows themselves.
 */
export function chained(entries: AuditEntry[], prevHash: string) {
  // Millisecond precision so the hash input survives the timestamptz round trip.
  const at = new Date(Date.now());
  let prev = prevHash;
  const records = entries.map((entry) => {
    const hash = hashOf({ ...entry, at, prevHash: prev });
    const record = { ...entry, at, prevHash: prev, hash };
    prev = hash;
    return record;
  });
  const rows = records.map((r) => ({
    at: r.at.toISOString(),
    request_id: r.requestId,
    team_id: r.teamId ?? null,
    channel_id: r.channelId ?? null,
    user_id: r.userId ?? null,
    action: r.action,
    arguments: r.arguments ?? {},
    outcome: r.outcome,
    detail: r.detail ?? null,
    prev_hash: r.prevHash,
    hash: r.hash,
  }));
  return { records, rows };
}
