import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/logger.ts';
import type { Logger } from '../../src/logger.ts';
import { createPool, migrate } from '../../src/store/database.ts';
import type { Pool } from '../../src/store/database.ts';
import { PgRunStore } from '../../src/store/pg-run-store.ts';
import type { NewRun } from '../../src/jobs/run-store.ts';
import { RunQueue } from '../../src/jobs/run-queue.ts';
import { RunWorker } from '../../src/jobs/run-worker.ts';
import type { RunWorkerOptions } from '../../src/jobs/run-worker.ts';
import type { RunEvent, RunObserver } from '../../src/jobs/run-events.ts';
import type { Isolation } from '../support/isolation.ts';

/** Collects run events; tests wait on them instead of sleeping. */
export class RecordingObserver implements RunObserver {
  readonly events: RunEvent[] = [];
  private readonly emitter = new EventEmitter();

  async onEvent(event: RunEvent): Promise<void> {
    this.events.push(event);
    this.emitter.emit('event', event);
  }

  of(runId: string): RunEvent[] {
    return this.events.filter((e) => e.runId === runId);
  }

  waitFor(predicate: (event: RunEvent) => boolean, timeoutMs = 20_000): Promise<RunEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.emitter.off('event', listener);
        reject(
          new Error(`no matching run event within ${timeoutMs} ms; saw ${this.events.map((e) => e.type).join(', ')}`),
        );
      }, timeoutMs);
      const listener = (event: RunEvent): void => {
        if (!predicate(event)) return;
        clearTimeout(timer);
        this.emitter.off('event', listener);
        resolve(event);
      };
      this.emitter.on('event', listener);
    });
  }

  finished(runId: string, timeoutMs?: number): Promise<RunEvent> {
    return this.waitFor((e) => e.type === 'run-finished' && e.runId === runId, timeoutMs);
  }
}

/** Polls `check` until it returns something truthy, failing after the deadline. */
export async function waitUntil<T>(
  check: () => Promise<T> | T,
  what: string,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface Engine {
  pool: Pool;
  redis: Redis;
  store: PgRunStore;
  queue: RunQueue;
  observer: RecordingObserver;
  logger: Logger;
  workers: RunWorker<unknown>[];
  startWorker<Deps>(
    options: Partial<RunWorkerOptions<Deps>> & Pick<RunWorkerOptions<Deps>, 'kinds' | 'deps'>,
  ): Promise<RunWorker<Deps>>;
  stop(): Promise<void>;
}

/** Real Postgres (own schema), real Redis (own prefix), real BullMQ. */
export async function startEngine(isolation: Isolation): Promise<Engine> {
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const pool = createPool({ url: isolation.databaseUrl, schema: isolation.schema }, logger);
  await migrate(pool, isolation.schema, logger);
  const redis = new Redis(isolation.redisUrl, { maxRetriesPerRequest: null });
  const store = new PgRunStore(pool);
  const observer = new RecordingObserver();
  const queue = new RunQueue({
    connection: redis,
    prefix: isolation.redisPrefix,
    store,
    logger,
    observer,
    jobBackoffMs: 200,
  });
  const workers: RunWorker<unknown>[] = [];
  return {
    pool,
    redis,
    store,
    queue,
    observer,
    logger,
    workers,
    async startWorker(options) {
      const worker = new RunWorker({
        connection: redis,
        prefix: isolation.redisPrefix,
        store,
        logger,
        observer,
        queue,
        lockDurationMs: 1_000,
        stalledIntervalMs: 500,
        closeTimeoutMs: 2_000,
        retry: { baseDelayMs: 20, maxDelayMs: 200 },
        ...options,
      });
      await worker.start();
      workers.push(worker as RunWorker<unknown>);
      return worker;
    },
    async stop() {
      await Promise.all(workers.map((w) => w.close()));
      await queue.close();
      redis.disconnect();
      await pool.end();
    },
  };
}

export const request = (extra: Partial<NewRun> = {}): NewRun => ({
  input: {},
  requestId: 'req_test',
  requestedBy: 'U0ALICE',
  teamId: 'T0EAFIX',
  ...extra,
});
