import type { Pool } from './database.ts';
import type { RunRecord, RunStatus } from '../jobs/run-record.ts';
import type { RunCounts, RunStats } from '../jobs/run-stats.ts';
import { runFromRow, type RunRow } from './run-rows.ts';

export class PgRunStats implements RunStats {
  constructor(private readonly pool: Pool) {}

  async countSince(since: Date): Promise<RunCounts> {
    const result = await this.pool.query<{ status: RunStatus; n: number }>(
      'SELECT status, count(*)::int AS n FROM runs WHERE created_at >= $1 GROUP BY status',
      [since],
    );
    const counts: RunCounts = { queued: 0, running: 0, paused: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const row of result.rows) counts[row.status] = row.n;
    return counts;
  }

  async lastChange(environment: string): Promise<RunRecord | undefined> {
    const result = await this.pool.query<RunRow>(
      `SELECT * FROM runs
        WHERE action ~ '^(deploy|rollback)' AND coalesce(input->>'environment', $1) = $1
        ORDER BY created_at DESC, id LIMIT 1`,
      [environment],
    );
    return result.rows[0] ? runFromRow(result.rows[0]) : undefined;
  }

  async recentBy(user: string, limit: number): Promise<RunRecord[]> {
    const result = await this.pool.query<RunRow>(
      'SELECT * FROM runs WHERE requested_by = $1 ORDER BY created_at DESC, id LIMIT $2',
      [user, limit],
    );
    return result.rows.map(runFromRow);
  }
}
