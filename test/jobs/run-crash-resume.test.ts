import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolate } from '../support/isolation.ts';
import { crashKind } from './fixtures/crash-kind.ts';
import { request, startEngine, waitUntil } from './jobs-support.ts';
import type { Engine } from './jobs-support.ts';

const isolation = isolate('jobs_crash');
const fixture = fileURLToPath(new URL('./fixtures/crash-worker.ts', import.meta.url));
let engine: Engine;
let child: ChildProcess | undefined;

beforeAll(async () => {
  engine = await startEngine(isolation);
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await engine.stop();
  await isolation.cleanup();
});

describe('crash recovery', () => {
  it('resumes a run on another worker at the step the killed worker was in', async () => {
    const key = (name: string) => `${isolation.redisPrefix}:${name}`;
    const { run } = await engine.queue.submit(crashKind, request({ input: { environment: 'production' } }));

    child = fork(fixture, {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        JOBS_DATABASE_URL: isolation.databaseUrl,
        JOBS_SCHEMA: isolation.schema,
        JOBS_REDIS_URL: isolation.redisUrl,
        JOBS_PREFIX: isolation.redisPrefix,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // Checkpointed as running and inside its body (its start counted): killed any earlier, the child would
    // not have started the step the parent must run again.
    const running = await waitUntil(async () => {
      const current = await engine.store.getRun(run.id);
      const inBody = (await engine.redis.get(key('switch-starts'))) === '1';
      return current?.steps[1]?.status === 'running' && inBody ? current : undefined;
    }, 'step 2 to run in the child worker');
    expect(running).toMatchObject({ status: 'running', workerId: 'worker-child', currentStep: 1 });
    expect(running.steps[0]?.status).toBe('succeeded');

    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    expect(await exited).toEqual([null, 'SIGKILL']);

    await engine.redis.rpush(key('release'), 'go');
    await engine.startWorker({
      kinds: [crashKind],
      deps: { redis: engine.redis, prefix: isolation.redisPrefix },
      workerId: 'worker-parent',
    });
    const finished = await engine.observer.finished(run.id);

    expect(finished).toMatchObject({ status: 'succeeded', summary: 'selector version=blue\nselector is blue' });
    const resumed = engine.observer.of(run.id).filter((e) => e.type === 'resumed');
    expect(resumed).toEqual([
      { type: 'resumed', runId: run.id, workerId: 'worker-parent', previousWorker: 'worker-child', stepIndex: 1 },
    ]);
    // The parent never started step 1: it was checkpointed as done by the child.
    expect(
      engine.observer
        .of(run.id)
        .filter((e) => e.type === 'step-started')
        .map((e) => 'stepIndex' in e && e.stepIndex),
    ).toEqual([1, 2]);

    const stored = await engine.store.getRun(run.id);
    expect(stored).toMatchObject({ status: 'succeeded', resumedCount: 1, workerId: 'worker-parent' });
    expect(stored?.steps.map((s) => [s.stepId, s.status, s.attempt, s.workerId])).toEqual([
      ['prepare', 'succeeded', 1, 'worker-child'],
      ['switch', 'succeeded', 2, 'worker-parent'],
      ['verify', 'succeeded', 1, 'worker-parent'],
    ]);
    expect(await engine.redis.get(key('prepare-runs'))).toBe('1');
    expect(await engine.redis.get(key('switch-starts'))).toBe('2');
    expect(await engine.redis.get(key('selector'))).toBe('blue');
  });
});
