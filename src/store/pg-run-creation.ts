import { AppError } from '../app-error.ts';
import { inTransaction, type Pool, type PoolClient } from './database.ts';
import { newId } from './row-ids.ts';
import type { RunKind } from '../jobs/run-definition.ts';
import type { RunWithSteps, StepRecord } from '../jobs/run-record.ts';
import type { CreatedRun, NewRun } from '../jobs/run-store.ts';
import { runFromRow, type RunRow } from './run-rows.ts';
import { claimTarget } from './target-lock.ts';

/** Written in the transaction that creates a run (its status message), so no run exists unreported. */
export type OnRunCreated = (client: PoolClient, run: RunWithSteps) => Promise<void>;

/**
 * Creates a run (idempotent on its key) with its steps, claims its target, and writes what `onCreated`
 * writes (its status message), in one transaction: a run is created on the approval click's path.
 */
export async function createRun<Deps>(
  db: Pool,
  kind: RunKind<Deps>,
  request: NewRun,
  onCreated?: OnRunCreated,
): Promise<CreatedRun> {
  const target = kind.target?.(request.input);
  const onBusy = kind.onBusy ?? 'refuse';
  return inTransaction(db, async (client) => {
    // The run and its steps in one statement: a run is created on the approval click's path.
    const inserted = await client.query<RunRow>(
      `WITH run AS (
         INSERT INTO runs (id, kind, action, input, request_id, requested_by, team_id, approval_id, idempotency_key,
                           target, on_busy, step_count, thread_channel, thread_ts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING *),
       steps AS (
         INSERT INTO run_steps (run_id, step_index, step_id, title)
         SELECT run.id, (s.n - 1)::int, s.step_id, s.title
           FROM run, unnest($15::text[], $16::text[]) WITH ORDINALITY AS s(step_id, title, n))
       SELECT * FROM run`,
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
      ],
    );
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
      await onCreated?.(client, { ...run, steps: newSteps(run.id, kind) });
      return result;
    };
    if (target === undefined) return created({ run, created: true, startable: true });
    const claim = await claimTarget(client, target, row.id);
    if (claim.claimed) return created({ run, created: true, startable: true });
    if (onBusy === 'refuse') {
      throw new AppError(
        'target_busy',
        `${target} is already being changed by run ${claim.holder}. Wait for it to finish or cancel it.`,
        {
          hints: [`/eafix runs ${claim.holder}`],
        },
      );
    }
    return created({ run, created: true, startable: false, waitingFor: claim.holder });
  });
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
