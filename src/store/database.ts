import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { appRoot } from '../app-root.ts';
import type { Logger } from '../logger.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

const migrationsDir = () => join(appRoot(), 'migrations');

export interface DatabaseSettings {
  url: string;
  /** Every table lives in this schema; tests give each run its own. */
  schema: string;
  max?: number;
  /** Server-side bound on one statement (PostgreSQL `statement_timeout`); default 5 s. */
  statementTimeoutMs?: number;
  /**
   * Client-side bound on waiting for an answer; default 6 s. It is what ends a query whose packets
   * vanish (a black-holed network), where the server never gets to enforce its own timeout.
   */
  queryTimeoutMs?: number;
  /** Bound on opening a connection; default 3 s. */
  connectionTimeoutMs?: number;
  /**
   * A direct connection when `url` is a transaction pooler (PgBouncer `pool_mode = transaction`): what
   * keeps session state (session advisory locks, LISTEN, migrations) connects here, and the pooled
   * connections send no session settings, which a transaction pooler cannot keep: the search_path and
   * statement_timeout are the database role's (or PgBouncer's connect_query), checked at start-up.
   */
  directUrl?: string;
}

/** How connectUnpooled reaches the server for a pool created with a direct URL. */
const directConnections = new WeakMap<Pool, pg.ClientConfig>();

export function createPool(settings: DatabaseSettings, logger: Logger): Pool {
  const statementTimeoutMs = settings.statementTimeoutMs ?? 5_000;
  const connection = {
    // Fail fast: a bot that hangs on a dead database is worse than one that says so.
    connectionTimeoutMillis: settings.connectionTimeoutMs ?? 3_000,
    // Notices a peer that vanished while a connection sits idle in the pool.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
  const session = { statement_timeout: statementTimeoutMs, options: `-c search_path=${settings.schema}` };
  const pool = new pg.Pool({
    connectionString: settings.url,
    // Workers run up to 16 runs at once, each needing a connection now and then.
    max: settings.max ?? 20,
    idleTimeoutMillis: 30_000,
    query_timeout: settings.queryTimeoutMs ?? statementTimeoutMs + 1_000,
    ...connection,
    // A transaction pooler refuses startup settings (and could not keep them): see `directUrl`.
    ...(settings.directUrl ? {} : session),
    // Statements queued on one client go out without waiting for each other's answers (the server still
    // runs them in order, each with its own Sync): a transaction's BEGIN travels with its first statement.
    pipeline: true,
  });
  if (settings.directUrl)
    directConnections.set(pool, { connectionString: settings.directUrl, ...connection, options: session.options });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', (err) => logger.warn({ err }, 'postgres idle client error'));
  return pool;
}

/**
 * A connection of its own, outside the pool, for work that waits on purpose (migrations, advisory
 * locks held across slow work): no statement or query timeout, but an 'error' listener, since a
 * client losing its connection with none would crash the process.
 */
export async function connectUnpooled(
  pool: Pool,
  logger: Logger | undefined,
  purpose: string,
  bounds: { queryTimeoutMs?: number } = {},
): Promise<pg.Client> {
  const options = directConnections.get(pool) ?? (pool as unknown as { options: pg.ClientConfig }).options;
  // Not pipelined: these connections hold locks, listen or migrate, one statement at a time.
  const client = new pg.Client({
    ...options,
    statement_timeout: undefined,
    query_timeout: bounds.queryTimeoutMs,
    pipeline: false,
  });
  client.on('error', (err) => logger?.warn({ err, purpose }, 'postgres connection lost'));
  await client.connect();
  return client;
}

/** True when the error says PostgreSQL could not be reached or did not answer in time. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown };
  // 57014: statement_timeout; 57P01-57P03: the server is shutting down or not accepting connections; 08xxx: connection exceptions.
  if (
    typeof e.code === 'string' &&
    (/^(ECONN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)/.test(e.code) || /^(08|57P0|57014)/.test(e.code))
  )
    return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (
    /Query read timeout|timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|connection timeout/i.test(
      message,
    )
  )
    return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/**
 * Applies pending migrations. Replicas starting together queue on a blocking advisory lock (keyed by
 * schema) instead of failing, which is what node-pg-migrate's own try-lock would do.
 */
export async function migrate(pool: Pool, schema: string, logger: Logger): Promise<void> {
  // Its own connection: waiting for another replica's migrations, or a long DDL, is not a slow query.
  const client = await connectUnpooled(pool, logger, 'migrations');
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [`eafix-migrations:${schema}`]);
    try {
      // Inside the lock: concurrent CREATE SCHEMA IF NOT EXISTS can still collide in Postgres.
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      if (await upToDate(client, schema)) return;
      // node-pg-migrate loads only when there is something to migrate (most starts have nothing).
      const { runner } = await import('node-pg-migrate');
      await runner({
        dbClient: client,
        dir: migrationsDir(),
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
    await client.end().catch(() => undefined);
  }
}

/** Every migration file has been applied, in file order (node-pg-migrate's own rule, checkOrder). */
async function upToDate(client: pg.Client, schema: string): Promise<boolean> {
  const files = (await readdir(migrationsDir()))
    .filter((f) => /\.(sql|js|cjs|mjs|ts)$/.test(f))
    .map((f) => f.replace(/\.[^.]+$/, ''))
    .sort();
  const table = await client.query<{ found: string | null }>(`SELECT to_regclass($1)::text AS found`, [
    `${schema}.pgmigrations`,
  ]);
  if (!table.rows[0]?.found) return false;
  const ran = await client.query<{ name: string }>(`SELECT name FROM ${schema}.pgmigrations ORDER BY run_on, id`);
  return ran.rows.length === files.length && ran.rows.every((r, i) => r.name === files[i]);
}

/**
 * Key spaces of the two-key advisory locks taken until commit: they never share keys with the one-key locks
 * held elsewhere (some for a whole session, as the outbox leader's), so a key's hash cannot collide with those.
 */
export const LOCK_SPACE = { incidentTitle: 0x1ca7, approvalSubject: 0x0a97 } as const;

/**
 * Serialises transactions on `key` until this one ends. Read what the lock guards in a statement of its own
 * after it: a statement sees what was committed before it started, and one that waited must see the winner's.
 */
export async function lockUntilCommit(client: PoolClient, space: number, key: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [space, key]);
}

/**
 * Runs `work` in a transaction, rolling back on any error. While checked out the client has an 'error'
 * listener (the pool's own only covers idle clients, and an unheard 'error' crashes the process), and
 * a client whose connection failed is discarded rather than returned to the pool.
 */
export function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return transaction(pool, work, 'after-work');
}

/**
 * A transaction in one round trip: `queue` queues its statements without awaiting them, and BEGIN, they
 * and COMMIT go out together (the pool's connections are pipelined). The server still runs them in order,
 * so a later statement sees an earlier one's writes and locks; JavaScript cannot act on an answer before
 * the end. A statement that fails aborts the transaction (its COMMIT then rolls back) and its error is
 * thrown; once they are queued nothing else can roll them back.
 */
export function inOneRoundTrip<T>(pool: Pool, queue: (client: PoolClient) => Promise<T>): Promise<T> {
  return transaction(pool, queue, 'with-work');
}

async function transaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  commit: 'after-work' | 'with-work',
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error): void => {
    broken = err;
  };
  client.on('error', onError);
  let committing: Promise<unknown> | undefined;
  try {
    // Not awaited: on the pool's pipelined connections BEGIN goes out with the work's first statement (a
    // round trip fewer). Should it fail, so does that statement, and the work's error is what is thrown.
    const begun = client.query('BEGIN');
    begun.catch(() => undefined);
    const working = work(client);
    if (commit === 'with-work') {
      // Behind the statements `work` queued before its first await.
      committing = client.query('COMMIT');
      committing.catch(() => undefined);
    }
    const result = await working;
    await begun;
    await (committing ?? client.query('COMMIT'));
    return result;
  } catch (error) {
    if (isDatabaseUnavailable(error)) broken ??= error as Error;
    else if (committing) await committing.catch((err: unknown) => (broken = err as Error));
    else await client.query('ROLLBACK').catch((err: unknown) => (broken = err as Error));
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/**
 * Behind a transaction pooler the pooled connections' search_path is the server's to set (the role's
 * settings or PgBouncer's connect_query): the bot refuses to start on any other schema than its own.
 */
export async function checkPooledSchema(pool: Pool, schema: string): Promise<void> {
  const { rows } = await pool.query<{ schema: string | null; path: string }>(
    `SELECT current_schema() AS schema, current_setting('search_path') AS path`,
  );
  if (rows[0]?.schema !== schema)
    throw new Error(
      `DATABASE_URL (a transaction pooler, since DATABASE_DIRECT_URL is set) gives search_path "${rows[0]?.path}", ` +
        `not the bot's schema "${schema}": set it for the bot's role (ALTER ROLE <role> SET search_path = ${schema}) ` +
        `or in PgBouncer's connect_query.`,
    );
}

/** Readiness and doctor's probe: the database answers a trivial query. */
export async function pingDatabase(pool: Pool): Promise<void> {
  await pool.query('SELECT 1');
}
