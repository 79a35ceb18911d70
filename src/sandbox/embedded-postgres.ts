import { mkdir } from 'node:fs/promises';
import type { Logger } from '../logger.ts';

export interface EmbeddedService {
  url: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL for the sandbox when DATABASE_URL is not set: PGlite (Postgres compiled to WASM) behind
 * its wire-protocol socket server, so the bot's real `pg` adapter talks to it unchanged.
 */
export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<EmbeddedService> {
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 20 });
  await server.start();
  const conn = server.getServerConn(); // "127.0.0.1:PORT"
  logger.info({ dataDir, conn }, 'embedded PostgreSQL (PGlite) started');
  return {
    url: `postgres://postgres@${conn}/postgres?sslmode=disable`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
