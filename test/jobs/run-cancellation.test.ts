import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/store/database.ts';
import type { Pool } from '../../src/store/database.ts';
import { PgRunStore } from '../../src/store/pg-run-store.ts';
import { RunCanceller } from '../../src/jobs/run-cancellation.ts';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import { RunQueue } from '../../src/jobs/run-queue.ts';
import { isolate } from '../support/isolation.ts';
import { request, startEngine } from './jobs-support.ts';
import type { Engine } from './jobs-support.ts';

const isolation = isolate('jobs_cancel');
let engine: Engine;
// The "web process": its own pool, Redis connection and queue handle.
let webPool: Pool;
let webRedis: Redis;
let webQueue: RunQueue;
let canceller: RunCanceller;

interface Deps {
  reached: string[];
  store?: PgRunStore;
}
const deps: Deps = { reached: [] };

const waitForAbort = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));

const cancellable = defineRunKind<Deps>({
  kind: 'cancellable',
  steps: [
    {
      id: 'first',
      title: 'First',
      run: async (ctx) => {
        ctx.deps.reached.push(`${ctx.runId}:first`);
      },
    },
    {
      id: 'wait',
      title: 'Wait for the rollout',
      run: (ctx) => {
        ctx.deps.reached.push(`${ctx.runId}:wait`);
        return waitForAbort(ctx.signal);
      },
    },
    {
      id: 'last',
      title: 'Last',
      run: async (ctx) => {
        ctx.deps.reached.push(`${ctx.runId}:last`);
      },
    },
  ],
});

const stubborn = defineRunKind<Deps>({
  kind: 'stubborn',
  steps: [
    // Ignores its signal: the engine must stop waiting for it anyway.
    {
      id: 'ignore',
      title: 'Ignore the signal',
      run: (ctx) => {
        ctx.deps.reached.push(`${ctx.runId}:ignore`);
        return new Promise(() => undefined);
      },
    },
    {
      id: 'after',
      title: 'After',
      run: async (ctx) => {
        ctx.deps.reached.push(`${ctx.runId}:after`);
      },
    },
  ],
});

const selfCancelling = defineRunKind<Deps>({
  kind: 'self-cancelling',
  steps: [
    // Sets only the Postgres flag (no pub/sub message): the runner must see it between steps.
    {
      id: 'flag',
      title: 'Flag',
      run: async (ctx) => {
        await ctx.deps.store?.requestCancel(ctx.runId, 'U0BOB');
      },
    },
    {
      id: 'next',
      title: 'Next',
      run: async (ctx) => {
        ctx.deps.reached.push(`${ctx.runId}:next`);
      },
    },
  ],
});

beforeAll(async () => {
  engine = await startEngine(isolation);
  deps.store = engine.store;
  await engine.startWorker({ kinds: [cancellable, stubborn, selfCancelling], deps });
  webPool = createPool({ url: isolation.databaseUrl, schema: isolation.schema }, engine.logger);
  webRedis = new Redis(isolation.redisUrl, { maxRetriesPerRequest: null });
  const webStore = new PgRunStore(webPool);
  webQueue = new RunQueue({
    connection: webRedis,
    prefix: isolation.redisPrefix,
    store: webStore,
    logger: engine.logger,
  });
  canceller = new RunCanceller({
    store: webStore,
    redis: webRedis,
    prefix: isolation.redisPrefix,
    queue: webQueue,
    logger: engine.logger,
  });
});
afterAll(async () => {
  await webQueue.close();
  webRedis.disconnect();
  await webPool.end();
  await engine.stop();
  await isolation.cleanup();
});

describe('cancellation', () => {
  it('aborts the running step from another process and ends the run cancelled', async () => {
    const { run } = await webQueue.submit(cancellable, request({ input: {} }));
    await engine.observer.waitFor((e) => e.type === 'step-started' && e.runId === run.id && e.stepIndex === 1);

    const result = await canceller.requestCancel(run.id, 'U0BOB');
    expect(result).toMatchObject({ accepted: true, run: { id: run.id, cancelRequested: true, cancelledBy: 'U0BOB' } });
    const finished = await engine.observer.finished(run.id);

    expect(finished).toMatchObject({ status: 'cancelled', error: 'cancelled by <@U0BOB>' });
    const stored = await engine.store.getRun(run.id);
    expect(stored?.status).toBe('cancelled');
    expect(stored?.steps.map((s) => s.status)).toEqual(['succeeded', 'cancelled', 'skipped']);
    expect(stored?.steps[1]?.error).toBe('cancelled by <@U0BOB>');
    expect(deps.reached).not.toContain(`${run.id}:last`);
    expect(await canceller.requestCancel(run.id, 'U0BOB')).toMatchObject({
      accepted: false,
      run: { status: 'cancelled' },
    });
  });

  it('stops waiting for a step that ignores its signal', async () => {
    const { run } = await webQueue.submit(stubborn, request({ input: {} }));
    await engine.observer.waitFor((e) => e.type === 'step-started' && e.runId === run.id);
    await canceller.requestCancel(run.id, 'U0BOB');
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'cancelled' });
    expect((await engine.store.getRun(run.id))?.steps.map((s) => s.status)).toEqual(['cancelled', 'skipped']);
    expect(deps.reached).not.toContain(`${run.id}:after`);
  });

  it('checks the cancel flag between steps', async () => {
    const { run } = await webQueue.submit(selfCancelling, request({ input: {} }));
    expect(await engine.observer.finished(run.id)).toMatchObject({
      status: 'cancelled',
      error: 'cancelled by <@U0BOB>',
    });
    expect((await engine.store.getRun(run.id))?.steps.map((s) => s.status)).toEqual(['succeeded', 'skipped']);
    expect(deps.reached).not.toContain(`${run.id}:next`);
  });

  it('refuses to cancel a run that does not exist', async () => {
    expect(await canceller.requestCancel('run_000000000000', 'U0BOB')).toEqual({ accepted: false });
  });
});
