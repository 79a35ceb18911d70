import { AppError } from '../app-error.ts';
import type { Pool, PoolClient } from './database.ts';

/**
 * One change per target. The `run_targets` row of a target names the one run allowed to change it;
 * its primary key makes check-and-claim atomic across processes. Claims and releases of a target are
 * also serialised on an advisory lock, so a run that starts waiting while the holder finishes is
 * always seen by the release and handed the target (never left waiting for nobody).
 * All functions run inside the caller's transaction.
 */

/** The advisory lock that serialises a target's claims and releases (also taken by run creation). */
export const targetLockKey = (target: string): string => `eafix-target:${target}`;

async function lockTarget(client: PoolClient, target: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [targetLockKey(target)]);
}

/**
 * The prefix a covering run names for `target`: what comes before its last '/' and the '/' itself
 * (`service:production/` for `service:production/risk-manager`); undefined when no run can cover it.
 */
export function coverPrefixOf(target: string | undefined): string | undefined {
  const slash = target?.lastIndexOf('/') ?? -1;
  return slash < 0 ? undefined : target!.slice(0, slash + 1);
}

const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Refuses a new run that would overlap a covering one: a run on a target under an active run's `covers`,
 * a covering run while a run on a target under its prefix or another run covering the same prefix (a
 * database rollback and a database failover) is active (queued, running or paused), in
 * either case whatever the new run's onBusy (a wait across the two could hand a target to nobody). Both
 * sides take the prefix's lock first (the covering run exclusively, a run under the prefix shared), so two
 * overlapping creations at once cannot both pass; the check is a statement of its own after it, and sees a
 * creation that committed while this one waited.
 */
export async function refuseCoverOverlap(
  client: PoolClient,
  runId: string,
  target: string | undefined,
  covers: string | undefined,
): Promise<void> {
  const under = coverPrefixOf(target);
  const prefixes = [...new Set([under, covers].filter((p): p is string => p !== undefined))].sort();
  if (prefixes.length === 0) return;
  // A covering run takes its prefix's lock exclusively; a run under a prefix takes it shared, so a burst of
  // runs under one environment is not made to create its runs one at a time (only a covering run waits).
  const locked = prefixes.map((p) =>
    client.query(
      p === covers ? 'SELECT pg_advisory_xact_lock(hashtext($1))' : 'SELECT pg_advisory_xact_lock_shared(hashtext($1))',
      [`eafix-covers:${p}`],
    ),
  );
  // Sent after the locks (a pipelined connection keeps the order): it sees a creation that committed meanwhile.
  const [other] = await Promise.all([overlappingRun(client, target, covers, runId), ...locked]);
  if (other) throw coverOverlapError(other, target, covers);
}

/**
 * The oldest active run (queued, running or paused) that overlaps a run on `target` / `covers`: one covering
 * its target, one on a target under its covers, or one covering the same prefix.
 */
async function overlappingRun(
  db: Pool | PoolClient,
  target: string | undefined,
  covers: string | undefined,
  exceptRunId = '',
): Promise<{ id: string; what: string } | undefined> {
  const found = await db.query<{ id: string; what: string }>(
    `SELECT id, coalesce(covers, target) AS what FROM runs
      WHERE id <> $1 AND status IN ('queued', 'running', 'paused')
        AND (covers = $2 OR target LIKE $3 OR covers = $4)
      ORDER BY created_at LIMIT 1`,
    [exceptRunId, coverPrefixOf(target) ?? null, covers === undefined ? null : likePrefix(covers), covers ?? null],
  );
  return found.rows[0];
}

/** The refusal of a run on a target another run holds (a kind that does not queue). */
export function targetBusyError(target: string, holder: string): AppError {
  return new AppError(
    'target_busy',
    `${target} is already being changed by run ${holder}. Wait for it to finish or cancel it.`,
    { hints: [`/eafix runs ${holder}`, `/eafix cancel ${holder}`] },
  );
}

/** The refusal of a run overlapping a covering one (`what`: the other run's covers, or its target). */
export function coverOverlapError(
  other: { id: string; what: string },
  target: string | undefined,
  covers: string | undefined,
): AppError {
  const mine = covers !== undefined ? `every target under ${covers}` : target;
  return new AppError(
    'target_busy',
    `Run ${other.id} is changing ${other.what.endsWith('/') ? `every target under ${other.what}` : other.what}, which overlaps ${mine}. Wait for it to finish or cancel it.`,
    { hints: [`/eafix runs ${other.id}`, `/eafix cancel ${other.id}`] },
  );
}

/**
 * Refuses now what creating the run would refuse (its target held by an active run and the kind does not
 * queue, or an overlap with a covering run), so a request is refused before two people approve it. Reads
 * only: creation checks again under its locks.
 */
export async function refuseIfBusy(
  pool: Pool,
  target: string | undefined,
  covers: string | undefined,
  onBusy: 'refuse' | 'queue',
): Promise<void> {
  if (onBusy === 'refuse' && target !== undefined) {
    const held = await pool.query<{ run_id: string }>(
      `SELECT t.run_id FROM run_targets t JOIN runs r ON r.id = t.run_id
        WHERE t.target = $1 AND r.status IN ('queued', 'running', 'paused')`,
      [target],
    );
    const holder = held.rows[0]?.run_id;
    if (holder) throw targetBusyError(target, holder);
  }
  const other = await overlappingRun(pool, target, covers);
  if (other) throw coverOverlapError(other, target, covers);
}

/**
 * Gives up the target `runId` holds (if any) and hands it to the oldest run waiting for it.
 * Returns the run that now holds the target: the caller enqueues it once the transaction commits.
 */
export async function releaseTarget(client: PoolClient, runId: string): Promise<string | undefined> {
  const held = await client.query<{ target: string }>('SELECT target FROM run_targets WHERE run_id = $1', [runId]);
  const target = held.rows[0]?.target;
  if (target === undefined) return undefined;
  await lockTarget(client, target);
  await client.query('DELETE FROM run_targets WHERE target = $1 AND run_id = $2', [target, runId]);
  const next = await client.query<{ id: string }>(
    `SELECT id FROM runs WHERE target = $1 AND status = 'queued' AND NOT cancel_requested AND id <> $2
      ORDER BY created_at, id LIMIT 1`,
    [target, runId],
  );
  const nextId = next.rows[0]?.id;
  if (nextId === undefined) return undefined;
  await client.query('INSERT INTO run_targets (target, run_id) VALUES ($1, $2)', [target, nextId]);
  return nextId;
}

/**
 * Repairs a target whose hand-over was lost: a holder that has ended gives it up, and a target with
 * runs waiting but no holder goes to the oldest of them. Returns the run that now holds it, to enqueue.
 */
export async function repairTarget(client: PoolClient, target: string): Promise<string | undefined> {
  await lockTarget(client, target);
  const held = await client.query<{ run_id: string; active: boolean }>(
    `SELECT t.run_id, r.status IN ('queued', 'running', 'paused') AS active FROM run_targets t LEFT JOIN runs r ON r.id = t.run_id WHERE t.target = $1`,
    [target],
  );
  const holder = held.rows[0];
  if (holder?.active) return undefined;
  if (holder) await client.query('DELETE FROM run_targets WHERE target = $1', [target]);
  const next = await client.query<{ id: string }>(
    `SELECT id FROM runs WHERE target = $1 AND status = 'queued' AND NOT cancel_requested ORDER BY created_at, id LIMIT 1`,
    [target],
  );
  const nextId = next.rows[0]?.id;
  if (nextId !== undefined)
    await client.query('INSERT INTO run_targets (target, run_id) VALUES ($1, $2)', [target, nextId]);
  return nextId;
}

/** The run holding `target`, if any. */
export async function targetHolder(pool: Pool | PoolClient, target: string): Promise<string | undefined> {
  const result = await pool.query<{ run_id: string }>('SELECT run_id FROM run_targets WHERE target = $1', [target]);
  return result.rows[0]?.run_id;
}

/** Whether `runId` may start: it changes nothing, or it holds its target. */
export async function mayStart(pool: Pool | PoolClient, runId: string): Promise<boolean> {
  const result = await pool.query<{ ok: boolean }>(
    `SELECT r.target IS NULL OR EXISTS (SELECT 1 FROM run_targets t WHERE t.run_id = r.id) AS ok FROM runs r WHERE r.id = $1`,
    [runId],
  );
  return result.rows[0]?.ok ?? false;
}
