import type { Pool } from '../../src/store/database.ts';
import { eventually } from './eventually.ts';
import type { TestWorld } from './world.ts';

/** Runs and their steps as the database has them, for e2e tests that wait on a run's progress. */
export interface RunRow {
  id: string;
  status: string;
  error: string | null;
  summary: string | null;
  /** How many times a worker took the run over from one that died. */
  resumed_count: number;
}

const runRow = async (pool: Pool, runId: string) =>
  (await pool.query<RunRow>(`SELECT id, status, error, summary, resumed_count FROM runs WHERE id = $1`, [runId]))
    .rows[0];

/** A step of a run: its status and what it recorded (a checkpoint a resumed run starts from). */
export const runStep = async (world: TestWorld, runId: string, stepId: string) =>
  (
    await world.bot.pool.query<{ status: string; output: Record<string, string> | null }>(
      `SELECT status, output FROM run_steps WHERE run_id = $1 AND step_id = $2`,
      [runId, stepId],
    )
  ).rows[0];

/** The run once it no longer runs: ended, or paused for a decision. */
export function runAtRest(world: TestWorld, runId: string, timeoutMs = 60_000): Promise<RunRow> {
  return eventually(
    async () => {
      const r = await runRow(world.bot.pool, runId);
      return r && r.status !== 'queued' && r.status !== 'running' ? r : undefined;
    },
    `run ${runId} to end or pause`,
    timeoutMs,
  );
}

/** The run once it ended (a decided pause resumes it first). */
export function runEnded(world: TestWorld, runId: string, timeoutMs = 60_000): Promise<RunRow> {
  return eventually(
    async () => {
      const r = await runRow(world.bot.pool, runId);
      return r && ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
    },
    `run ${runId} to end`,
    timeoutMs,
  );
}
