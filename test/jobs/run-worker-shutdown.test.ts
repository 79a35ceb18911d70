import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import { RunWorker } from '../../src/jobs/run-worker.ts';
import { startEmbeddedRedis } from '@eafix/sandbox/embedded-redis';
import { isolate } from '../support/isolation.ts';
import { request, startEngine } from './jobs-support.ts';
import type { Engine } from './jobs-support.ts';

const isolation = isolate('jobs_shutdown');
let engine: Engine;

/** The first attempt hangs until its worker goes away; a later attempt succeeds. */
const hangsOnce = defineRunKind<unknown>({
  kind: 'hangs-once',
  steps: [
    {
      id: 'hang',
      title: 'Hang on the first try',
      run: (ctx) =>
        ctx.attempt > 1
          ? Promise.resolve({ summary: `done on attempt ${ctx.attempt}` })
          : new Promise((_, reject) =>
              ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
            ),
    },
  ],
});

beforeAll(async () => {
  engine = await startEngine(isolation);
});
afterAll(async () => {
  await engine.stop();
  await isolation.cleanup();
});

describe('worker shutdown', () => {
  it('abandons a step that outlives the close timeout; another worker resumes it', async () => {
    const first = await engine.startWorker({ kinds: [hangsOnce], deps: {}, workerId: 'leaving', closeTimeoutMs: 200 });
    const { run } = await engine.queue.submit(hangsOnce, request());
    await engine.observer.waitFor((e) => e.type === 'step-started' && e.runId === run.id);

    await first.close();
    const abandoned = await engine.store.getRun(run.id);
    // Not failed, not cancelled: still running, waiting for a worker to take it over.
    expect(abandoned).toMatchObject({ status: 'running', workerId: 'leaving' });
    expect(abandoned?.steps[0]).toMatchObject({ status: 'running', attempt: 1 });

    await engine.startWorker({ kinds: [hangsOnce], deps: {}, workerId: 'staying' });
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'succeeded', summary: 'done on attempt 2' });
    expect(engine.observer.of(run.id)).toContainEqual({
      type: 'resumed',
      runId: run.id,
      workerId: 'staying',
      previousWorker: 'leaving',
      stepIndex: 0,
    });
  });

  it('survives more worker shutdowns in a row than BullMQ allows stalls (rolling updates during a long step)', async () => {
    // Each try of its step outlives its worker's close timeout, until the fifth: more shutdowns than the two stalls
    // BullMQ forgives a job (a shutdown is a failed attempt of the job, retried, not a stall).
    const outlivesFour = defineRunKind<unknown>({
      kind: 'outlives-four-workers',
      steps: [
        {
          id: 'long',
          title: 'A long wait (a rollout)',
          run: (ctx) =>
            ctx.attempt > 4
              ? Promise.resolve({ summary: `done on attempt ${ctx.attempt}` })
              : new Promise((_, reject) =>
                  ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
                ),
        },
      ],
    });
    const tryStarted = (runId: string, attempt: number) =>
      engine.observer.waitFor((e) => e.type === 'step-started' && e.runId === runId && e.attempt === attempt);
    // Workers of the test before would take this run's job (and fail it: they do not know its kind).
    for (const earlier of engine.workers.splice(0)) await earlier.close();
    let worker = await engine.startWorker({ kinds: [outlivesFour], deps: {}, workerId: 'pod-1', closeTimeoutMs: 200 });
    const { run } = await engine.queue.submit(outlivesFour, request());
    for (let attempt = 1; attempt <= 4; attempt++) {
      await tryStarted(run.id, attempt);
      await worker.close();
      worker = await engine.startWorker({
        kinds: [outlivesFour],
        deps: {},
        workerId: `pod-${attempt + 1}`,
        closeTimeoutMs: 200,
      });
    }
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'succeeded', summary: 'done on attempt 5' });
    await worker.close();
  });

  it('closes even when Redis has gone away', async () => {
    const redisServer = await startEmbeddedRedis(engine.logger);
    const connection = new Redis(redisServer.url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
    connection.on('error', () => undefined);
    const worker = new RunWorker({
      connection,
      prefix: isolation.redisPrefix,
      store: engine.store,
      logger: engine.logger,
      kinds: [hangsOnce],
      deps: {},
      closeTimeoutMs: 300,
    });
    await worker.start();
    await redisServer.stop();
    await expect(worker.close()).resolves.toBeUndefined();
    connection.disconnect();
  });
});
