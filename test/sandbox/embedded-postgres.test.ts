import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startEmbeddedPostgres } from '@eafix/sandbox/embedded-postgres';

const logger = createLogger({ level: 'warn' });
const dirs: string[] = [];

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('embedded PostgreSQL', () => {
  it('is a real PostgreSQL server whose data survives a restart', async () => {
    await mkdir('.sandbox-data', { recursive: true });
    const dir = await mkdtemp(join('.sandbox-data', 'embedded-pg-test-'));
    dirs.push(dir);
    // As root the server runs as the OS user postgres, which must be able to enter the directory.
    await chmod(dir, 0o755);
    const first = await startEmbeddedPostgres(join(dir, 'pg'), logger);
    try {
      const [row] = await query<{ version: string; encoding: string }>(
        first.url,
        `SELECT version(), current_setting('server_encoding') AS encoding`,
      );
      expect(row?.version).toMatch(/^PostgreSQL 17\./);
      expect(row?.encoding).toBe('UTF8');
      // Concurrent extended-protocol queries on a pool: what the PGlite socket bridge got wrong.
      const pool = new pg.Pool({ connectionString: first.url, max: 10 });
      const sums = await Promise.all(
        Array.from({ length: 40 }, (_, i) => pool.query<{ n: number }>('SELECT $1::int + $2::int AS n', [i, 1])),
      );
      await pool.end();
      expect(sums.map((r) => r.rows[0]?.n)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      await query(first.url, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')`);
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedPostgres(join(dir, 'pg'), logger, { persistent: false });
    try {
      expect(await query(second.url, 'SELECT note FROM kept')).toEqual([{ note: 'still here' }]);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
