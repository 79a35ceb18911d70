import type { Pool } from './database.ts';

/** How many inserts between prunes of keys older than the retention (cheap, and bounded). */
const PRUNE_EVERY = 200;

/** Replay protection's fallback when Redis is down: the primary key makes the first sighting atomic. */
export class PgDeliveryLedger {
  private inserts = 0;

  constructor(
    private readonly pool: Pool,
    private readonly retentionSeconds: number,
  ) {}

  /** True the first time a key is seen; throws when PostgreSQL cannot answer. */
  async firstSighting(key: string): Promise<boolean> {
    const result = await this.pool.query(
      'INSERT INTO slack_deliveries (delivery_key) VALUES ($1) ON CONFLICT DO NOTHING',
      [key],
    );
    if (++this.inserts % PRUNE_EVERY === 0) {
      await this.pool.query(`DELETE FROM slack_deliveries WHERE seen_at < now() - make_interval(secs => $1)`, [
        this.retentionSeconds,
      ]);
    }
    return result.rowCount === 1;
  }
}
