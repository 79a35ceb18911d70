import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '@eafix/sandbox/free-port';
import { startDaemon, type Daemon } from './daemon.ts';

/**
 * Debian's PgBouncer in transaction pooling mode in front of the test's PostgreSQL, private to the test
 * on a free loopback port. Its one database entry sets the test's schema on every server connection
 * (connect_query), as a deployment sets the bot role's search_path.
 */
export interface PgBouncer {
  /** DATABASE_URL through the pooler. */
  url: string;
  /** Stops it (immediate shutdown: every client connection drops) and starts it again on the same port. */
  restart(): Promise<void>;
  /** Client connections PgBouncer holds now, by database (its admin console's SHOW CLIENTS). */
  clients(): Promise<Array<{ database: string; state: string }>>;
  stop(): Promise<void>;
}

const binary = '/usr/sbin/pgbouncer';

/** Who PgBouncer runs as when the test runs as root (it refuses root): postgres where it exists. */
async function unprivilegedUser(): Promise<string> {
  const users = (await readFile('/etc/passwd', 'utf8')).split('\n').map((line) => line.split(':')[0]);
  return users.includes('postgres') ? 'postgres' : 'nobody';
}

export async function startPgBouncer(directUrl: string, schema: string): Promise<PgBouncer> {
  const target = new URL(directUrl);
  const user = decodeURIComponent(target.username || 'postgres');
  const dir = await mkdtemp(join(tmpdir(), 'eafix-pgbouncer-'));
  // PgBouncer refuses to run as root; as root it is started as another user, who must read these.
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = decodeURIComponent(target.password);
  const server = [
    `host=${target.hostname}`,
    `port=${target.port || 5432}`,
    `dbname=${target.pathname.slice(1)}`,
    `user=${user}`,
    ...(password ? [`password=${password}`] : []),
    `connect_query='SET search_path = ${schema}'`,
  ].join(' ');
  const config = join(dir, 'pgbouncer.ini');
  await writeFile(join(dir, 'userlist.txt'), `"${user}" "${password}"\n`, { mode: 0o644 });
  await writeFile(
    config,
    [
      '[databases]',
      `eafix = ${server}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      `admin_users = ${user}`,
      'pool_mode = transaction',
      'max_client_conn = 500',
      'default_pool_size = 20',
      'ignore_startup_parameters = extra_float_digits',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const url = `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/eafix`;
  const admin = () =>
    new pg.Client({ connectionString: `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/pgbouncer` });
  const answers = async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const runAs = process.getuid?.() === 0 ? ['-u', await unprivilegedUser()] : [];
  const start = () => startDaemon(binary, [...runAs, config], answers, 'pgbouncer');
  let daemon: Daemon = await start();
  return {
    url,
    async restart() {
      await daemon.stop('SIGTERM');
      daemon = await start();
    },
    async clients() {
      const client = admin();
      await client.connect();
      try {
        return (await client.query<{ database: string; state: string }>('SHOW CLIENTS')).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      await daemon.stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
