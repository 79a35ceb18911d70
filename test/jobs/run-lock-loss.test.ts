import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

beforeAll(async () => {
  engine = await startEngine(isolation);
});
afterAll(async () => {
  await engine.stop();
  await isolation.cleanup();
});

describe('a run whose job lock is lost in Redis', () => {
  it('is not executed a second time beside itself when its job is handed back to the same process', async () => {
    await engine.startWorker({ kinds: [slowThenChange], deps: {}, workerId: 'only' });
    const { run } = await engine.queue.submit(slowThenChange, request());
    await engine.observer.waitFor((e) => e.type === 'step-started' && e.runId === run.id);

    // Redis loses the job's lock (a failover to a replica that missed its renewals): BullMQ's stalled
    // check hands the job back to the queue, and the same worker takes it again while its first
    // execution is still waiting in step 1.
    const jobKey = `${isolation.redisPrefix}:${RUN_QUEUE_NAME}:${run.id}`;
    await engine.redis.del(`${jobKey}:lock`);
    await waitUntil(
      async () => Number(await engine.redis.hget(jobKey, 'ats')) >= 2,
      'the job to be taken a second time',
    );

    release();
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'succeeded' });
    expect(tries).toEqual([1]);
    expect(changes).toBe(1);
    expect(engine.observer.of(run.id).filter((e) => e.type === 'run-finished')).toHaveLength(1);
  });
});
