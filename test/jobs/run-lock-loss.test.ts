import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import type { RunStore } from '../../src/jobs/run-store.ts';
import { createLogger } from '../../src/logger.ts';
import { RUN_QUEUE_NAME } from '../../src/jobs/run-queue.ts';
import { isolate } from '../support/isolation.ts';
import { request, startEngine, waitUntil } from './jobs-support.ts';
import type { Engine } from './jobs-support.ts';

const isolation = isolate('jobs_lock_loss');
let engine: Engine;

/**
 * A run kind of its own per test: a long first step (a rollout taking its time) held until `open()`, then
 * a change that must be made once. `tries` and `changes` list each step's attempts as they ran.
 */
function heldThenChange(kind: string) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const tries: number[] = [];
  const changes: number[] = [];
  const definition = defineRunKind<unknown>({
    kind,
    steps: [
      {
        id: 'wait',
        title: 'Wait until the test lets it finish',
        run: async (ctx) => {
          tries.push(ctx.attempt);
          await gate;
          return { summary: 'ready' };
        },
      },
      {
        id: 'change',
        title: 'Make the change',
        run: async (ctx) => {
          changes.push(ctx.attempt);
          return { summary: 'changed' };
        },
      },
    ],
  });
  return { definition, tries, changes, open };
}

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

const jobKey = (runId: string) => `${isolation.redisPrefix}:${RUN_QUEUE_NAME}:${runId}`;

/**
 * BullMQ's stalled check handing the job back to the queue (its lock expired in Redis, as across a
 * failover) while its worker still executes it; returns once a worker has taken it again.
 */
async function handBack(runId: string): Promise<void> {
  const queue = new Queue(RUN_QUEUE_NAME, { connection: engine.redis, prefix: isolation.redisPrefix });
  try {
    const job = await Job.fromId(queue, runId);
    await job!.moveToWait((await engine.redis.get(`${jobKey(runId)}:lock`)) ?? undefined);
  } finally {
    await queue.close();
  }
  await waitUntil(
    async () => Number(await engine.redis.hget(jobKey(runId), 'ats')) >= 2,
    'the job to be taken a second time',
  );
}

const stepStarted = (runId: string) => engine.observer.waitFor((e) => e.type === 'step-started' && e.runId === runId);

describe('a run whose job lock is lost in Redis', () => {
  it('is not executed a second time beside itself when its job is handed back to the same process', async () => {
    onTestFinished(closeWorkers);
    const held = heldThenChange('handed-back');
    // A long lock: no renewal falls within the test, so the worker is not told its lock went.
    await engine.startWorker({ kinds: [held.definition], deps: {}, workerId: 'only', lockDurationMs: 60_000 });
    const { run } = await engine.queue.submit(held.definition, request());
    await stepStarted(run.id);

    await handBack(run.id);
    held.open();
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'succeeded' });
    // The second delivery waited for the first execution and found the run done.
    expect(held.tries).toEqual([1]);
    expect(held.changes).toEqual([1]);
    expect(engine.observer.of(run.id).filter((e) => e.type === 'run-finished')).toHaveLength(1);
  });

  it('puts a handed-back job back when the execution it waited for stopped short, and the run resumes', async () => {
    onTestFinished(closeWorkers);
    const held = heldThenChange('stopped-short');
    await engine.startWorker({ kinds: [held.definition], deps: {}, workerId: 'only', lockDurationMs: 60_000 });
    const { run } = await engine.queue.submit(held.definition, request());
    await stepStarted(run.id);

    await handBack(run.id);
    // A worker that has gone since started the run meanwhile: the first execution stops at its boundary.
    await engine.store.startRun(run.id, 'gone');
    held.open();
    // The waiting delivery did not run the steps itself (its lock is no longer renewed); the job went back
    // to the queue, and its next delivery resumed the run.
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'succeeded' });
    expect(held.tries).toEqual([1, 2]);
    expect(held.changes).toEqual([1]);
    expect(await engine.store.getRun(run.id)).toMatchObject({ workerId: 'only' });
  });

  it('stops the execution on the worker Redis told its lock was lost; another worker resumes the run', async () => {
    onTestFinished(closeWorkers);
    const timeline: string[] = [];
    // Its first try runs until its signal stops it; a later try finishes at once.
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
    // One job at a time: while its first try holds, this worker cannot take the job back itself.
    await engine.startWorker({ kinds: [holdsUntilStopped], deps: {}, workerId: 'losing', concurrency: 1 });
    const { run } = await engine.queue.submit(holdsUntilStopped, request());
    await stepStarted(run.id);
    await engine.startWorker({ kinds: [holdsUntilStopped], deps: {}, workerId: 'taking-over' });

    await engine.redis.del(`${jobKey(run.id)}:lock`);
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'succeeded', summary: 'done' });
    // Told at its next lock renewal (the job usually moves later, at the second stalled check).
    await waitUntil(() => timeline.includes('end 1 (JobLockLostError)'), 'the first try to be stopped');
    expect(timeline.filter((t) => t.startsWith('start'))).toEqual(['start 1', 'start 2']);
  });

  it('stops a worker that Redis cannot tell at its next step boundary once another worker has its run', async () => {
    onTestFinished(closeWorkers);
    const held = heldThenChange('cut-off');
    // Cut off from Redis in effect: its lock is long and never renewed within the test, so nothing tells
    // it that the job went elsewhere; and it takes one job at a time, so it cannot take the job back.
    await engine.startWorker({
      kinds: [held.definition],
      deps: {},
      workerId: 'cut-off',
      concurrency: 1,
      lockDurationMs: 60_000,
    });
    const { run } = await engine.queue.submit(held.definition, request());
    await stepStarted(run.id);
    await engine.startWorker({ kinds: [held.definition], deps: {}, workerId: 'taking-over' });

    // The lock expires: the job goes to the other worker, which resumes the run while the first still waits.
    await engine.redis.del(`${jobKey(run.id)}:lock`);
    await engine.observer.waitFor((e) => e.type === 'resumed' && e.runId === run.id && e.workerId === 'taking-over');
    held.open();
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'succeeded' });
    // Both executions have ended once their workers have closed (closing waits for running steps).
    await closeWorkers();
    // Both waited; only the run's current worker went past the boundary and made the change.
    expect(held.tries).toEqual([1, 2]);
    expect(held.changes).toEqual([1]);
    expect(await engine.store.getRun(run.id)).toMatchObject({ status: 'succeeded', workerId: 'taking-over' });
  });

  it('executes nothing on a delivery that lost its job before it started the run, beside the worker that took it', async () => {
    onTestFinished(closeWorkers);
    const held = heldThenChange('late-start');
    // The 'wait' step's tries in flight at once: two would be two executions side by side.
    let inFlight = 0;
    let mostInFlight = 0;
    const counted = defineRunKind<unknown>({
      ...held.definition,
      steps: held.definition.steps.map((step) =>
        step.id !== 'wait'
          ? step
          : {
              ...step,
              run: async (ctx) => {
                mostInFlight = Math.max(mostInFlight, ++inFlight);
                try {
                  return await step.run(ctx);
                } finally {
                  inFlight -= 1;
                }
              },
            },
      ),
    });
    // Its startRun waits (a pool wait, a paused process) until the test lets it go on.
    let letStart!: () => void;
    const startMayGo = new Promise<void>((resolve) => (letStart = resolve));
    let startCalled!: () => void;
    const startWasCalled = new Promise<void>((resolve) => (startCalled = resolve));
    const lateStore = new Proxy(engine.store, {
      get(target, property) {
        if (property === 'startRun')
          return async (...args: Parameters<RunStore['startRun']>) => {
            startCalled();
            await startMayGo;
            return target.startRun(...args);
          };
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    // A long lock, never renewed within the test, and one job at a time: nothing tells it the job went.
    await engine.startWorker({
      kinds: [counted],
      deps: {},
      workerId: 'late',
      store: lateStore,
      logger,
      concurrency: 1,
      lockDurationMs: 60_000,
    });
    const { run } = await engine.queue.submit(counted, request());
    await startWasCalled;
    await engine.startWorker({ kinds: [counted], deps: {}, workerId: 'taking-over' });

    // The lock expires while the first delivery waits: the other worker takes the job and starts the run.
    await engine.redis.del(`${jobKey(run.id)}:lock`);
    await stepStarted(run.id);
    letStart();
    await waitUntil(
      () => lines.some((line) => line.includes('lost its job before it started the run')),
      'the late delivery to find its job gone',
    );
    held.open();
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'succeeded' });
    await closeWorkers();
    // The late delivery took the run back (so the other worker stopped at its boundary) but ran no step:
    // the job's next delivery resumed the run after the other worker's try had ended.
    expect(mostInFlight).toBe(1);
    expect(held.changes).toEqual([1]);
    expect(held.tries).toEqual([1, 2]);
  });
});
