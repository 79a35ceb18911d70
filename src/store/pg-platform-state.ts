import { inTransaction, type Pool } from './database.ts';
import { canonicalJson } from './canonical-json.ts';

export interface PlatformSwitch<T> {
  value: T;
  updatedBy?: string;
  updatedAt?: Date;
}

/** Trading and maintenance switches, changed with compare-and-set so a stale plan never overwrites. */
export interface PlatformState {
  get<T>(key: string, fallback: T): Promise<PlatformSwitch<T>>;
  /** Sets `key` to `next` only if it still holds `expected`; false when the world moved on. */
  compareAndSet<T>(key: string, expected: T, next: T, by: string, requestId: string): Promise<boolean>;
}

export class PgPlatformState implements PlatformState {
  constructor(private readonly pool: Pool) {}

  async get<T>(key: string, fallback: T): Promise<PlatformSwitch<T>> {
    const result = await this.pool.query<{ value: T; updated_by: string; updated_at: Date }>(
      'SELECT value, updated_by, updated_at FROM platform_state WHERE key = $1',
      [key],
    );
    const row = result.rows[0];
    return row ? { value: row.value, updatedBy: row.updated_by, updatedAt: row.updated_at } : { value: fallback };
  }

  async compareAndSet<T>(key: string, expected: T, next: T, by: string, requestId: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const current = await client.query<{ value: T }>('SELECT value FROM platform_state WHERE key = $1 FOR UPDATE', [key]);
      const row = current.rows[0];
      // An unset switch holds its default, which the caller passes as `expected`.
      if (row && canonicalJson(row.value) !== canonicalJson(expected)) return false;
      await client.query(
        `INSERT INTO platform_state (key, value, updated_by, request_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now(), request_id = EXCLUDED.request_id`,
        [key, JSON.stringify(next), by, requestId],
      );
      return true;
    });
  }
}
