import { inTransaction, type Pool, type PoolClient } from './database.ts';
import type { AppendAudit, RecordAuditWith } from '../audit/audit-log.ts';
import { newId } from './row-ids.ts';
import type { RunKind } from '../jobs/run-definition.ts';
import type { RunWithSteps, StepRecord } from '../jobs/run-record.ts';
import type { CreatedRun, NewRun } from '../jobs/run-store.ts';
import { runFromRow, type RunRow } from './run-rows.ts';
import { refuseCoverOverlap, targetBusyError, targetHolder, targetLockKey } from './target-lock.ts';

/** Written in the transaction that creates a run (its status message), so no run exists unreported. */
export type OnRunCreated = (client: PoolClient, run: RunWithSteps) => Promise<void>;

/**
 * Creates a run (idempotent on its key) with its steps, claims its target, and writes what `onCreated`
 * writes (its status message) and the audit rows `recordWith` holds (the approval's), in one transaction:
 * a run is created on the approval click's path.
 */
export async function createRun<Deps>(
  db: Pool,
  kind: RunKind<Deps>,
  request: NewRun,
  onCreated?: OnRunCreated,
  recordWith?: RecordAuditWith,
): Promise<CreatedRun> {
  const target = kind.target?.(request.input);
  const covers = kind.covers?.(request.input);
  const onBusy = kind.onBusy ?? 'refuse';
  const create = (append?: AppendAudit) =>
    inTransaction(db, async (client) => {
      // The run, its steps and the claim of its target in one statement: a run is created on the approval
      // click's path. The claim is taken under the target's advisory lock (as releases are, target-lock.ts),
      // only for a run this statement inserted; ON CONFLICT checks the newest committed claim, whatever the
      // statement's snapshot, so a release committing meanwhile is seen.
      // The audit rows go first, with BEGIN and this statement (no round trip of their own): if they cannot
      // be appended, the transaction aborts and there is no run. Other audit writers wait for the chain's
      // end until this transaction ends, as for a vote; short, unless it waits for its target's lock.
      const [, inserted] = await Promise.all([
        append?.(client),
        client.query<RunRow & { claimed: boolean }>(
          `WITH run AS (
         INSERT INTO runs (id, kind, action, input, request_id, requested_by, team_id, approval_id, idempotency_key,
                           target, on_busy, step_count, thread_channel, thread_ts, covers)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $18)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING *),
       steps AS (
         INSERT INTO run_steps (run_id, step_index, step_id, title)
         SELECT run.id, (s.n - 1)::int, s.step_id, s.title
           FROM run, unnest($15::text[], $16::text[]) WITH ORDINALITY AS s(step_id, title, n)),
       locked AS (SELECT pg_advisory_xact_lock(hashtext($17)) FROM run WHERE $10::text IS NOT NULL),
       claim AS (
         INSERT INTO run_targets (target, run_id) SELECT $10, run.id FROM run, locked
         ON CONFLICT (target) DO NOTHING RETURNING run_id)
       SELECT run.*, EXISTS (SELECT 1 FROM claim) AS claimed FROM run`,
          [
            newId('run'),
            kind.kind,
            request.action ?? kind.kind,
            JSON.stringify(request.input ?? null),
            request.requestId,
            request.requestedBy,
            request.teamId,
            request.approvalId ?? null,
            request.idempotencyKey ?? null,
            target ?? null,
            onBusy,
            kind.steps.length,
            request.thread?.channel ?? null,
            request.thread?.ts ?? null,
            kind.steps.map((step) => step.id),
            kind.steps.map((step) => step.title),
            target === undefined ? null : targetLockKey(target),
            covers ?? null,
          ],
        ),
      ]);
      const row = inserted.rows[0];
      if (!row) {
        const existing = await client.query<RunRow & { may_start: boolean }>(
          `SELECT r.*, (r.target IS NULL OR EXISTS (SELECT 1 FROM run_targets t WHERE t.run_id = r.id)) AS may_start
           FROM runs r WHERE idempotency_key = $1`,
          [request.idempotencyKey],
        );
        const found = existing.rows[0] as RunRow & { may_start: boolean };
        const run = runFromRow(found);
        return {
          run,
          created: false,
          startable: found.may_start && (run.status === 'queued' || run.status === 'running'),
        };
      }
      const run = runFromRow(row);
      const created = async (result: CreatedRun): Promise<CreatedRun> => {
        await refuseCoverOverlap(client, run.id, target, covers);
        await onCreated?.(client, { ...run, steps: newSteps(run.id, kind) });
        return result;
      };
      if (target === undefined) return created({ run, created: true, startable: true });
      if (row.claimed) return created({ run, created: true, startable: true });
      // Still under the target's lock: a holder cannot let go before this transaction ends.
      const holder = await targetHolder(client, target);
      if (holder === undefined) throw new Error(`run creation: ${target} was neither claimed nor held`);
      if (onBusy === 'refuse') throw targetBusyError(target, holder);
      return created({ run, created: true, startable: false, waitingFor: holder });
    });
  return recordWith ? recordWith(create) : create();
}

/** A new run's steps as its INSERT wrote them (the table's defaults), without reading them back. */
function newSteps<Deps>(runId: string, kind: RunKind<Deps>): StepRecord[] {
  return kind.steps.map((step, index) => ({
    runId,
    index,
    stepId: step.id,
    title: step.title,
    status: 'pending',
    attempt: 0,
  }));
}
