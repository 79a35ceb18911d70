import type { Pool } from './database.ts';

export interface ActiveRuns {
  kind: string;
  status: 'queued' | 'running';
  count: number;
  oldestSeconds: number;
}

export interface OutboxBacklog {
  pending: number;
  oldestSeconds: number;
}

/** Operational gauges read from PostgreSQL on a metrics scrape: what every process sees alike. */
export class PgOpsGauges {
  constructor(private readonly pool: Pool) {}

  async activeRuns(): Promise<ActiveRuns[]> {
    const { rows } = await this.pool.query<{
      kind: string;
      status: 'queued' | 'running';
      count: string;
      oldest: number;
    }>(
      `SELECT kind, status, count(*) AS count,
              EXTRACT(EPOCH FROM clock_timestamp() - min(COALESCE(started_at, created_at)))::float8 AS oldest
         FROM runs WHERE status IN ('queued', 'running') GROUP BY kind, status`,
    );
    return rows.map((r) => ({ kind: r.kind, status: r.status, count: Number(r.count), oldestSeconds: r.oldest }));
  }

  async outboxBacklog(): Promise<OutboxBacklog> {
    const { rows } = await this.pool.query<{ pending: string; oldest: number | null }>(
      `SELECT count(*) AS pending, EXTRACT(EPOCH FROM clock_timestamp() - min(created_at))::float8 AS oldest
         FROM slack_outbox WHERE state = 'pending'`,
    );
    return { pending: Number(rows[0]?.pending ?? 0), oldestSeconds: rows[0]?.oldest ?? 0 };
  }
}
