import { inTransaction, type Pool } from './database.ts';
import { canonicalJson } from '../canonical-json.ts';
import type { PlatformState, PlatformSwitch } from '../handlers/platform-state.ts';

interface SwitchRow {
  value: unknown;
  updated_by: string;
  updated_at: Date;
}

export class PgPlatformState implements PlatformState {
  /** Reads in flight per key: concurrent `status` calls share one query (never a finished result). */
  private readonly reading = new Map<string, Promise<SwitchRow | undefined>>();

  constructor(private readonly pool: Pool) {}

  async get<T>(key: string, fallback: T): Promise<PlatformSwitch<T>> {
    let read = this.reading.get(key);
    if (!read) {
      read = this.pool
        .query<SwitchRow>('SELECT value, updated_by, updated_at FROM platform_state WHERE key = $1', [key])
        .then((result) => result.rows[0])
        .finally(() => {
          if (this.reading.get(key) === read) this.reading.delete(key);
        });
      this.reading.set(key, read);
    }
    const row = await read;
    return row ? { value: row.value as T, updatedBy: row.updated_by, updatedAt: row.updated_at } : { value: fallback };
  }

  async compareAndSet<T>(key: string, expected: T, next: T, by: string, requestId: string): Promise<boolean> {
    // A read that started before this change finished must not answer anyone who asks after it.
    this.reading.delete(key);
    try {
      return await this.swap(key, expected, next, by, requestId);
    } finally {
      this.reading.delete(key);
    }
  }

  private swap<T>(key: string, expected: T, next: T, by: string, requestId: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const current = await client.query<{ value: T }>('SELECT value FROM platform_state WHERE key = $1 FOR UPDATE', [
        key,
      ]);
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
