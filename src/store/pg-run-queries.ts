import { inTransaction, type Pool } from './database.ts';
import type { RunWithSteps } from '../jobs/run-record.ts';
import type { ListRunsOptions, RunListItem, RunQueries } from '../jobs/run-queries.ts';
import { runFromRow, stepFromRow, type RunRow, type StepRow } from './run-rows.ts';

/** Read side of the run store: what `/eafix runs` and progress renderers need. */
export class PgRunQueries implements RunQueries {
  constructor(private readonly pool: Pool) {}

  async getRun(id: string): Promise<RunWithSteps | undefined> {
    // One snapshot: a step's start and the run's current step are written in one statement, so two reads
    // on two connections could see the step running while the run still points at the one before.
    const [run, steps] = await inTransaction(this.pool, async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const runRows = await client.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id]);
      const stepRows = await client.query<StepRow>('SELECT * FROM run_steps WHERE run_id = $1 ORDER BY step_index', [
        id,
      ]);
      return [runRows, stepRows] as const;
    });
    const row = run.rows[0];
    if (!row) return undefined;
    return { ...runFromRow(row), steps: steps.rows.map(stepFromRow) };
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
