import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import { isolate } from '../support/isolation.ts';
import { request, startEngine, waitUntil } from './jobs-support.ts';
import type { Engine } from './jobs-support.ts';

const isolation = isolate('jobs_engine');
let engine: Engine;

interface Deps {
  ran: string[];
}
const deps: Deps = { ran: [] };

const threeSteps = defineRunKind<Deps>({
  kind: 'three-steps',
  steps: [
    {
      id: 'one',
      title: 'Step one',
      run: async (ctx) => {
        ctx.deps.ran.push(`${ctx.runId}:one`);
        return { summary: 'one done', output: { n: 1 } };
      },
    },
    {
      id: 'two',
      title: 'Step two',
      run: async (ctx) => {
        ctx.deps.ran.push(`${ctx.runId}:two`);
        return { output: { doubled: (ctx.outputs.one as { n: number }).n * 2 } };
      },
    },
    {
      id: 'three',
      title: 'Step three',
      run: async (ctx) => {
        ctx.deps.ran.push(`${ctx.runId}:three`);
        return { summary: `got ${JSON.stringify(ctx.outputs.two)}` };
      },
    },
  ],
});

beforeAll(async () => {
  engine = await startEngine(isolation);
  await engine.startWorker({ kinds: [threeSteps], deps });
});
afterAll(async () => {
  await engine.stop();
  await isolation.cleanup();
});

describe('run engine', () => {
  it('runs three steps in order, checkpointing each, and reports events in order', async () => {
    const { run } = await engine.queue.submit(threeSteps, request({ input: { env: 'staging' } }));
    await engine.observer.finished(run.id);

    const stored = await engine.store.getRun(run.id);
    expect(stored).toMatchObject({
      status: 'succeeded',
      kind: 'three-steps',
      action: 'three-steps',
      input: { env: 'staging' },
      resumedCount: 0,
    });
    expect(stored?.summary).toBe('one done\ngot {"doubled":2}');
    expect(stored?.startedAt).toBeInstanceOf(Date);
    expect(stored?.finishedAt).toBeInstanceOf(Date);
    expect(stored?.steps.map((s) => [s.stepId, s.status, s.attempt])).toEqual([
      ['one', 'succeeded', 1],
      ['two', 'succeeded', 1],
      ['three', 'succeeded', 1],
    ]);
    expect(stored?.steps[1]?.output).toEqual({ doubled: 2 });
    for (const step of stored?.steps ?? [])
      expect(step.finishedAt!.getTime()).toBeGreaterThanOrEqual(step.startedAt!.getTime());

    expect(engine.observer.of(run.id).map((e) => ('stepIndex' in e ? `${e.type}:${e.stepIndex}` : e.type))).toEqual([
      'queued',
      'step-started:0',
      'step-finished:0',
      'step-started:1',
      'step-finished:1',
      'step-started:2',
      'step-finished:2',
      'run-finished',
    ]);
    expect(engine.observer.of(run.id).at(-1)).toMatchObject({
      type: 'run-finished',
      status: 'succeeded',
      summary: 'one done\ngot {"doubled":2}',
    });
    expect(deps.ran.filter((r) => r.startsWith(run.id))).toEqual([`${run.id}:one`, `${run.id}:two`, `${run.id}:three`]);
  });

  it('runs a run once when it is enqueued twice', async () => {
    const { run } = await engine.store.createRun(threeSteps, request({ input: {} }));
    await Promise.all([engine.queue.enqueue(run.id, run.requestId), engine.queue.enqueue(run.id, run.requestId)]);
    await engine.observer.finished(run.id);
    // Enqueued again after it finished: the worker finds it over and leaves it alone.
    await engine.queue.enqueue(run.id, run.requestId);
    const second = await engine.store.createRun(threeSteps, request({ input: {} }));
    await engine.queue.enqueue(second.run.id, second.run.requestId);
    await engine.observer.finished(second.run.id);
    await waitUntil(async () => {
      const counts = await (await engine.queue.queue.open()).getJobCounts('active', 'waiting', 'delayed');
      return Object.values(counts).every((n) => n === 0);
    }, 'the queue to drain');

    expect(deps.ran.filter((r) => r.startsWith(run.id))).toHaveLength(3);
    expect(engine.observer.of(run.id).filter((e) => e.type === 'step-started')).toHaveLength(3);
    expect((await engine.store.getRun(run.id))?.steps.every((s) => s.attempt === 1)).toBe(true);
  });

  it('returns the same run for the same idempotency key, even when created concurrently', async () => {
    const submissions = await Promise.all(
      Array.from({ length: 5 }, () =>
        engine.queue.submit(threeSteps, request({ input: {}, approvalId: 'apr_1', idempotencyKey: 'apr_1' })),
      ),
    );
    const ids = new Set(submissions.map((s) => s.run.id));
    expect(ids.size).toBe(1);
    expect(submissions.filter((s) => s.created)).toHaveLength(1);
    const [id] = [...ids];
    await engine.observer.finished(id!);
    const count = await engine.pool.query(`SELECT count(*)::int AS n FROM runs WHERE idempotency_key = 'apr_1'`);
    expect(count.rows[0].n).toBe(1);
    expect(deps.ran.filter((r) => r.startsWith(id!))).toHaveLength(3);
    expect((await engine.store.getRun(id!))?.approvalId).toBe('apr_1');
  });

  it('lists running and recent runs, with steps done', async () => {
    const listed = await engine.store.listRuns({ limit: 10 });
    expect(listed.length).toBeGreaterThanOrEqual(3);
    expect(listed.every((r) => r.status === 'succeeded' && r.stepsDone === 3)).toBe(true);
    const times = listed.map((r) => r.createdAt.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(await engine.store.listRuns({ limit: 10, status: ['running', 'queued'] })).toEqual([]);
    expect(await engine.store.getRun('run_nope')).toBeUndefined();
  });
});
