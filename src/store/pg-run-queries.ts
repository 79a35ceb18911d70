import type { Pool } from './database.ts';
import type { RunRecord, RunWithSteps } from '../jobs/run-record.ts';
import type { OnBusy } from '../jobs/run-definition.ts';
import type { ListRunsOptions, RunListItem, RunQueries } from '../jobs/run-queries.ts';
import { runFromRow, stepFromRow, type RunRow, type StepRow } from './run-rows.ts';
import { refuseIfBusy } from './target-lock.ts';

/** A step row read as JSON: its timestamps (`…_at`) come as text, as Dates from a plain SELECT. */
function stepRowOfJson(json: Record<string, unknown>): StepRow {
  const row: Record<string, unknown> = { ...json };
  for (const [key, value] of Object.entries(row))
    if (key.endsWith('_at') && typeof value === 'string') row[key] = new Date(value);
  return row as unknown as StepRow;
}

/** Read side of the run store: what `/eafix runs` and progress renderers need. */
export class PgRunQueries implements RunQueries {
  constructor(private readonly pool: Pool) {}

  refuseIfBusy(target: string | undefined, covers: string | undefined, onBusy: OnBusy): Promise<void> {
    return refuseIfBusy(this.pool, target, covers, onBusy);
  }

  async runForApproval(approvalId: string): Promise<RunRecord | undefined> {
    const result = await this.pool.query<RunRow>(
      // An approval's run is keyed by the approval's id (its unique idempotency key).
      'SELECT * FROM runs WHERE idempotency_key = $1 AND approval_id = $1',
      [approvalId],
    );
    return result.rows[0] ? runFromRow(result.rows[0]) : undefined;
  }

  async getRun(id: string): Promise<RunWithSteps | undefined> {
    // One statement, so one snapshot: a step's start and the run's current step are written in one
    // statement, and two reads could see the step running while the run still points at the one before.
    // One round trip instead of five (a transaction around two reads): progress renders read it on every event.
    const result = await this.pool.query<RunRow & { steps_json: Record<string, unknown>[] }>(
      `SELECT r.*, coalesce((SELECT json_agg(s ORDER BY s.step_index) FROM run_steps s WHERE s.run_id = r.id), '[]')
                AS steps_json
         FROM runs r WHERE r.id = $1`,
      [id],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const { steps_json: steps, ...run } = row;
    return { ...runFromRow(run as RunRow), steps: steps.map((step) => stepFromRow(stepRowOfJson(step))) };
  }

  async listRuns(options: ListRunsOptions): Promise<RunListItem[]> {
    const statuses = options.status === undefined ? null : [options.status].flat();
    const result = await this.pool.query<RunRow & { steps_done: string }>(
      `SELECT r.*, (SELECT count(*) FROM run_steps s WHERE s.run_id = r.id AND s.status = 'succeeded') AS steps_done
         FROM runs r
        WHERE $1::text[] IS NULL OR r.status = ANY($1::text[])
        ORDER BY (r.status IN ('queued', 'running', 'paused')) DESC, r.created_at DESC, r.id
        LIMIT $2`,
      [statuses, options.limit],
    );
    return result.rows.map((row) => ({ ...runFromRow(row), stepsDone: Number(row.steps_done) }));
  }
}
