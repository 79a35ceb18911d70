import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import { RUN_QUEUE_NAME } from '../../src/jobs/run-queue.ts';
import { isolate } from '../support/isolation.ts';
import { request, startEngine, waitUntil } from './jobs-support.ts';
import type { Engine } from './jobs-support.ts';

const isolation = isolate('jobs_lock_loss');
let engine: Engine;

let release!: () => void;
const released = new Promise<void>((resolve) => (release = resolve));
/** Each try of the first step, by attempt number; then how often the second step's change was made. */
const tries: number[] = [];
let changes = 0;

/** A long first step (a rollout that takes its time), then a change that must be made once. */
const slowThenChange = defineRunKind<unknown>({
  kind: 'slow-then-change',
  steps: [
    {
      id: 'wait',
      title: 'Wait until the test lets it finish',
      run: async (ctx) => {
        tries.push(ctx.attempt);
        await released;
        return { summary: 'ready' };
      },
    },
    {
      id: 'change',
      title: 'Make the change',
      run: async () => {
        changes += 1;
        return { summary: 'changed' };
      },
    },
  ],
});

let letGo!: () => void;
const goes = new Promise<void>((resolve) => (letGo = resolve));
/** Which worker tried the first step, in order; then which made the change. */
const tried: string[] = [];
const changedBy: string[] = [];

/** As slowThenChange, telling which worker ran each step. */
const slowThenChangeByWorker = defineRunKind<unknown>({
  kind: 'slow-then-change-by-worker',
  steps: [
    {
      id: 'wait',
      title: 'Wait until the test lets it finish',
      run: async (ctx) => {
        tried.push(`${ctx.attempt}`);
        await goes;
        return { summary: 'ready' };
      },
    },
    {
      id: 'change',
      title: 'Make the change',
      run: async (ctx) => {
        changedBy.push(`${ctx.attempt}`);
        return { summary: 'changed' };
      },
    },
  ],
});

/** What the tries of a step did, in order: `start <attempt>`, `end <attempt> (<why>)`. */
const timeline: string[] = [];

/** Its first try runs until its signal stops it; a later try finishes at once. */
const holdsUntilStopped = defineRunKind<unknown>({
  kind: 'holds-until-stopped',
  steps: [
    {
      id: 'hold',
      title: 'Hold until stopped',
      run: (ctx) => {
        timeline.push(`start ${ctx.attempt}`);
        if (ctx.attempt > 1) return Promise.resolve({ summary: 'done' });
        return new Promise((_, reject) =>
          ctx.signal.addEventListener(
            'abort',
            () => {
              timeline.push(`end 1 (${(ctx.signal.reason as Error).name})`);
              reject(ctx.signal.reason);
            },
            { once: true },
          ),
        );
      },
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

/** Each test's workers leave with it: a worker left running would take the next test's jobs. */
async function closeWorkers(): Promise<void> {
  for (const worker of engine.workers.splice(0)) await worker.close();
}

describe('a run whose job lock is lost in Redis', () => {
  it('is not executed a second time beside itself when its job is handed back to the same process', async () => {
    onTestFinished(closeWorkers);
    // A long lock: no renewal falls within the test, so the worker is not told its lock went (see below).
    await engine.startWorker({ kinds: [slowThenChange], deps: {}, workerId: 'only', lockDurationMs: 60_000 });
    const { run } = await engine.queue.submit(slowThenChange, request());
    await engine.observer.waitFor((e) => e.type === 'step-started' && e.runId === run.id);

    // BullMQ's stalled check hands the job back to the queue (its lock had expired in Redis, as across a
    // failover), and the same worker takes it again while its first execution is still in step 1.
    const jobKey = `${isolation.redisPrefix}:${RUN_QUEUE_NAME}:${run.id}`;
    const queue = new Queue(RUN_QUEUE_NAME, { connection: engine.redis, prefix: isolation.redisPrefix });
    onTestFinished(() => queue.close());
    const job = await Job.fromId(queue, run.id);
    await job!.moveToWait((await engine.redis.get(`${jobKey}:lock`)) ?? undefined);
    await waitUntil(
      async () => Number(await engine.redis.hget(jobKey, 'ats')) >= 2,
      'the job to be taken a second time',
    );

    release();
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'succeeded' });
    // The handed-back delivery waited for the first execution and found the run done.
    expect(tries).toEqual([1]);
    expect(changes).toBe(1);
    expect(engine.observer.of(run.id).filter((e) => e.type === 'run-finished')).toHaveLength(1);
  });

  it('stops on the worker that lost the lock before another worker takes the job over', async () => {
    onTestFinished(closeWorkers);
    // One job at a time: while its first try holds, this worker cannot take the job back itself.
    await engine.startWorker({ kinds: [holdsUntilStopped], deps: {}, workerId: 'losing', concurrency: 1 });
    const { run } = await engine.queue.submit(holdsUntilStopped, request());
    await engine.observer.waitFor((e) => e.type === 'step-started' && e.runId === run.id);
    await engine.startWorker({ kinds: [holdsUntilStopped], deps: {}, workerId: 'taking-over' });

    await engine.redis.del(`${isolation.redisPrefix}:${RUN_QUEUE_NAME}:${run.id}:lock`);
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'succeeded', summary: 'done' });
    expect(timeline).toEqual(['start 1', 'end 1 (JobLockLostError)', 'start 2']);
  });

  it('stops a worker that Redis cannot tell at its next step boundary once another worker has its run', async () => {
    onTestFinished(closeWorkers);
    // Cut off from Redis in effect: its lock is long and never renewed within the test, so nothing tells
    // it that the job went elsewhere; and it takes one job at a time, so it cannot take the job back.
    await engine.startWorker({
      kinds: [slowThenChangeByWorker],
      deps: {},
      workerId: 'cut-off',
      concurrency: 1,
      lockDurationMs: 60_000,
    });
    const { run } = await engine.queue.submit(slowThenChangeByWorker, request());
    await engine.observer.waitFor((e) => e.type === 'step-started' && e.runId === run.id);
    await engine.startWorker({ kinds: [slowThenChangeByWorker], deps: {}, workerId: 'taking-over' });

    // The lock expires: the job goes to the other worker, which resumes the run while the first still waits.
    await engine.redis.del(`${isolation.redisPrefix}:${RUN_QUEUE_NAME}:${run.id}:lock`);
    await engine.observer.waitFor((e) => e.type === 'resumed' && e.runId === run.id && e.workerId === 'taking-over');
    letGo();
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'succeeded' });
    // Both executions have ended once their workers have closed (closing waits for running steps).
    await closeWorkers();
    // Both waited; only the run's current worker went past the boundary and made the change.
    expect(tried).toEqual(['1', '2']);
    expect(changedBy).toEqual(['1']);
    expect(await engine.store.getRun(run.id)).toMatchObject({ status: 'succeeded', workerId: 'taking-over' });
  });
});
