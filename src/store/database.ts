import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../logger.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface DatabaseSettings {
  url: string;
  /** Every table lives in this schema; tests give each run its own. */
  schema: string;
  max?: number;
}

export function createPool(settings: DatabaseSettings, logger: Logger): Pool {
  const pool = new pg.Pool({
    connectionString: settings.url,
    // Workers run up to 16 runs at once, each needing a connection now and then.
    max: settings.max ?? 20,
    // Fail fast: a bot that hangs on a dead database is worse than one that says so.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    options: `-c search_path=${settings.schema}`,
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', (err) => logger.warn({ err }, 'postgres idle client error'));
  return pool;
}

/**
 * Applies pending migrations. Replicas starting together queue on a blocking advisory lock (keyed by
 * schema) instead of failing, which is what node-pg-migrate's own try-lock would do.
 */
export async function migrate(pool: Pool, schema: string, logger: Logger): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [`eafix-migrations:${schema}`]);
    try {
      // Inside the lock: concurrent CREATE SCHEMA IF NOT EXISTS can still collide in Postgres.
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await runner({
        dbClient: client,
        dir: migrationsDir,
        direction: 'up',
        migrationsTable: 'pgmigrations',
        schema,
        createSchema: true,
        noLock: true,
        checkOrder: true,
        log: (message: string) => logger.debug({ message }, 'migration'),
      });
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`eafix-migrations:${schema}`]);
    }
  } finally {
    client.release();
  }
}

/** Runs `work` in a transaction, rolling back on any error. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
