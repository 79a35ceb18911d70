import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../src/logger.ts';
import { startEmbeddedPostgres, type EmbeddedService } from '@eafix/sandbox/embedded-postgres';
import { startEmbeddedRedis } from '@eafix/sandbox/embedded-redis';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    runId: string;
  }
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * Tests run against the machine's real PostgreSQL and Redis (TEST_DATABASE_URL / TEST_REDIS_URL, else
 * the local defaults). Where a service is absent, the sandbox's embedded stand-in is started instead,
 * so the suite still runs. Each run gets an id; each test file derives its own schema and key prefix.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logger = createLogger({ level: 'warn' });
  const runId = randomBytes(4).toString('hex');
  const started: EmbeddedService[] = [];
  let pgDataDir: string | undefined;

  let databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  if (!(await postgresAnswers(databaseUrl))) {
    pgDataDir = `.sandbox-data/test-pg-${runId}`;
    console.warn(`PostgreSQL is not reachable at ${databaseUrl}; starting embedded PostgreSQL for this run.`);
    const embedded = await startEmbeddedPostgres(pgDataDir, logger, { persistent: false });
    started.push(embedded);
    databaseUrl = embedded.url;
  }
  let redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(redisUrl))) {
    console.warn(`Redis is not reachable at ${redisUrl}; starting a private redis-server for this run.`);
    const embedded = await startEmbeddedRedis(logger);
    started.push(embedded);
    redisUrl = embedded.url;
  }
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('runId', runId);

  return async () => {
    for (const service of started.reverse()) await service.stop();
    if (pgDataDir) await rm(pgDataDir, { recursive: true, force: true });
  };
}
