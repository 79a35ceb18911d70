import type { Pool } from './database.ts';
import type { SteppedOn } from '../jobs/run-store.ts';
import { stepFromRow, type StepRow } from './run-rows.ts';
import { RunTakenOverError } from '../jobs/step-attempt.ts';

type BoundaryRow = StepRow & { checkpoint: 'done' | 'started'; cancel_requested: boolean; cancelled_by: string | null };

/**
 * One statement for a step boundary: step `index` succeeded and, unless the run's cancellation was
 * requested, step `next` started (the same writes as stepSucceeded and stepStarted), while the run is
 * `next.workerId`'s. The run row's
 * UPDATE returns the cancel flag as of its row lock, so a cancel written concurrently either stops the
 * next step here or is seen at the next boundary (and by the run's abort signal).
 */
export async function stepSucceededThenStart(
  db: Pool,
  runId: string,
  index: number,
  result: { summary?: string | undefined; output?: unknown },
  next: { index: number; workerId: string },
): Promise<SteppedOn> {
  const rows = await db.query<BoundaryRow>(
    `WITH run AS (
       UPDATE runs SET current_step = CASE WHEN cancel_requested THEN current_step ELSE $5 END
        WHERE id = $1 AND worker_id = $6 AND status = 'running' RETURNING cancel_requested, cancelled_by),
     done AS (
       UPDATE run_steps SET status = 'succeeded', finished_at = clock_timestamp(), summary = $3, output = $4, error = NULL
        WHERE run_id = $1 AND step_index = $2 AND EXISTS (SELECT 1 FROM run) RETURNING *),
     started AS (
       UPDATE run_steps SET status = 'running', attempt = attempt + 1, started_at = clock_timestamp(), finished_at = NULL,
              error = NULL, worker_id = $6
        WHERE run_id = $1 AND step_index = $5 AND EXISTS (SELECT 1 FROM run WHERE NOT cancel_requested) RETURNING *)
     SELECT done.*, 'done' AS checkpoint, run.cancel_requested, run.cancelled_by FROM done, run
     UNION ALL
     SELECT started.*, 'started' AS checkpoint, run.cancel_requested, run.cancelled_by FROM started, run`,
    [
      runId,
      index,
      result.summary ?? null,
      result.output === undefined ? null : JSON.stringify(result.output),
      next.index,
      next.workerId,
    ],
  );
  const done = rows.rows.find((r) => r.checkpoint === 'done');
  if (!done) {
    // Nothing written: the run is no longer this worker's (another started it since, or it was ended
    // without it: given up on), or no such step.
    const owner = await db.query<{ worker_id: string | null; status: string }>(
      'SELECT worker_id, status FROM runs WHERE id = $1',
      [runId],
    );
    const row = owner.rows[0];
    if (row && (row.worker_id !== next.workerId || row.status !== 'running')) throw new RunTakenOverError(runId);
    throw new Error(`run ${runId} has no step ${index}`);
  }
  const started = rows.rows.find((r) => r.checkpoint === 'started');
  return {
    done: stepFromRow(done),
    ...(started ? { started: stepFromRow(started) } : {}),
    cancel: { requested: done.cancel_requested, by: done.cancelled_by ?? undefined },
  };
}
