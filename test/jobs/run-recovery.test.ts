import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import type { RunWorker } from '../../src/jobs/run-worker.ts';
import { isolate } from '../support/isolation.ts';
import { request, startEngine } from './jobs-support.ts';
import type { Engine } from './jobs-support.ts';

const isolation = isolate('jobs_recovery');
let engine: Engine;
let worker: RunWorker<Deps>;

interface Deps {
  calls: Map<string, number>;
}
const deps: Deps = { calls: new Map() };
const count = (key: string) => deps.calls.set(key, (deps.calls.get(key) ?? 0) + 1);
const targetOf = (value: unknown) => `env:${(value as { environment: string }).environment}`;

const change = defineRunKind<Deps>({
  kind: 'change',
  target: targetOf,
  onBusy: 'queue',
  steps: [
    {
      id: 'first',
      title: 'First',
      run: async (ctx) => {
        count(`${ctx.runId}:first`);
      },
    },
    {
      id: 'second',
      title: 'Second',
      run: async (ctx) => {
        count(`${ctx.runId}:second`);
      },
    },
  ],
  describeFailure: async ({ completedSteps }) => `steps done: ${[...completedSteps].join(', ') || 'none'}`,
});

beforeAll(async () => {
  engine = await startEngine(isolation);
  worker = await engine.startWorker({ kinds: [change], deps, maxResumes: 3 });
});
afterAll(async () => {
  await engine.stop();
  await isolation.cleanup();
});

const holder = async (target: string) =>
  (await engine.pool.query(`SELECT run_id FROM run_targets WHERE target = $1`, [target])).rows[0]?.run_id as
    string | undefined;

describe('run reconciliation', () => {
  it('enqueues an active run whose job is gone, and it resumes from its checkpoints', async () => {
    // Created and started in PostgreSQL, first step done, but never (or no longer) in BullMQ.
    const { run } = await engine.store.createRun(change, request({ input: { environment: 'production' } }));
    await engine.store.startRun(run.id, 'dead-worker');
    await engine.store.stepStarted(run.id, 0, 'dead-worker');
    await engine.store.stepSucceeded(run.id, 0, { summary: 'done before the job was lost' });
    expect(await engine.queue.jobState(run.id)).toBeUndefined();

    const report = await worker.reconcile();
    expect(report.requeued).toEqual([run.id]);
    expect(await engine.observer.finished(run.id)).toMatchObject({ status: 'succeeded' });
    expect(deps.calls.get(`${run.id}:first`)).toBeUndefined();
    expect(deps.calls.get(`${run.id}:second`)).toBe(1);
    expect(await holder('env:production')).toBeUndefined();
    // Nothing left to do: a second pass changes nothing.
    expect(await worker.reconcile()).toEqual({ requeued: [], gaveUp: [], targetsHanded: [] });
  });

  it('hands on a target whose holder ended without releasing it', async () => {
    const first = await engine.store.createRun(change, request({ input: { environment: 'staging' } }));
    const second = await engine.store.createRun(change, request({ input: { environment: 'staging' } }));
    expect(second.waitingFor).toBe(first.run.id);
    // The holder ended by a path that lost the hand-over.
    await engine.pool.query(`UPDATE runs SET status = 'failed', error = 'lost' WHERE id = $1`, [first.run.id]);

    const report = await worker.reconcile();
    expect(report.targetsHanded).toEqual([second.run.id]);
    expect(await engine.observer.finished(second.run.id)).toMatchObject({ status: 'succeeded' });
    expect(await holder('env:staging')).toBeUndefined();
  });

  it("fails a run that keeps being resumed without finishing, with its kind's account, and frees its target", async () => {
    const { run } = await engine.store.createRun(change, request({ input: { environment: 'dr' } }));
    // Started by four workers in turn: resumed three times.
    for (let i = 0; i < 4; i++) await engine.store.startRun(run.id, `worker-${i}`);
    await engine.store.stepStarted(run.id, 0, 'worker-3');
    await engine.store.stepSucceeded(run.id, 0, {});

    const report = await worker.reconcile();
    expect(report.gaveUp).toEqual([run.id]);
    const finished = await engine.observer.finished(run.id);
    expect(finished).toMatchObject({
      status: 'failed',
      error: 'the run was resumed 3 times without finishing\nsteps done: first',
    });
    expect(deps.calls.get(`${run.id}:second`)).toBeUndefined();
    expect(await holder('env:dr')).toBeUndefined();
  });
});
