import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import type { RunRecord } from '../../src/jobs/run-record.ts';
import type { NewRun, RunStore } from '../../src/jobs/run-store.ts';
import { runStorePauseContract } from './run-store-pause-contract.ts';

export interface RunStoreSubject {
  store: RunStore;
  /** Runs told of their end as it is written. */
  finished: RunRecord[];
  /** Drops a target's holder behind the store's back, as a crash between two writes would. */
  loseHandOver(target: string): Promise<void>;
  close(): Promise<void>;
}

const steps = ['switch', 'scale', 'verify'].map((id) => ({ id, title: `Step ${id}`, run: async () => undefined }));
const targetOf = (input: unknown) => `env:${(input as { environment: string }).environment}`;
const status = defineRunKind<unknown>({ kind: 'status', steps });
const refusing = defineRunKind<unknown>({ kind: 'rollback', target: targetOf, steps });
const queueing = defineRunKind<unknown>({ kind: 'restart', target: targetOf, onBusy: 'queue', steps });
const envOf = (input: unknown) => (input as { environment: string }).environment;
/** A database rollback: its environment, and every service of it at once. */
const covering = defineRunKind<unknown>({
  kind: 'rollback database',
  target: targetOf,
  covers: (input) => `service:${envOf(input)}/`,
  steps,
});
/** A database failover: the database's own target, and every service of the environment it restarts. */
const alsoCovering = defineRunKind<unknown>({
  kind: 'dr failover-database',
  target: (input) => `database:${envOf(input)}`,
  covers: (input) => `service:${envOf(input)}/`,
  steps,
});
const serviceChange = defineRunKind<unknown>({
  kind: 'scale',
  target: (input) => `service:${envOf(input)}/${(input as { service: string }).service}`,
  onBusy: 'queue',
  steps,
});

const request = (extra: Partial<NewRun> = {}): NewRun => ({
  input: { environment: 'production' },
  requestId: 'req_1',
  requestedBy: 'U0ALICE',
  teamId: 'T0EAFIX',
  ...extra,
});

/** What every RunStore adapter must do: the PostgreSQL one and the in-memory one of the fast tier. */
export function runStoreContract(name: string, open: () => Promise<RunStoreSubject>): void {
  describe(`${name} (RunStore contract)`, () => {
    let subject: RunStoreSubject | undefined;
    const start = async () => (subject = await open());
    afterEach(async () => {
      await subject?.close();
      subject = undefined;
    });

    it('creates a queued run with pending steps, once per idempotency key', async () => {
      const { store } = await start();
      const thread = { channel: 'C0OPS', ts: '1700000000.000100' };
      const first = await store.createRun(
        status,
        request({ action: 'status', approvalId: 'apr_1', idempotencyKey: 'apr_1', thread, input: { b: [1], a: 2 } }),
      );
      expect(first).toMatchObject({ created: true, startable: true });
      expect(first.run.id).toMatch(/^run_[0-9a-f]{12}$/);
      const run = await store.getRun(first.run.id);
      expect(run).toMatchObject({
        kind: 'status',
        action: 'status',
        input: { a: 2, b: [1] },
        requestId: 'req_1',
        requestedBy: 'U0ALICE',
        teamId: 'T0EAFIX',
        approvalId: 'apr_1',
        status: 'queued',
        stepCount: 3,
        currentStep: 0,
        cancelRequested: false,
        resumedCount: 0,
        thread,
        target: undefined,
      });
      expect(run?.steps.map((s) => [s.index, s.stepId, s.status, s.attempt])).toEqual([
        [0, 'switch', 'pending', 0],
        [1, 'scale', 'pending', 0],
        [2, 'verify', 'pending', 0],
      ]);
      const again = await store.createRun(status, request({ idempotencyKey: 'apr_1' }));
      expect(again).toMatchObject({ created: false, startable: true, run: { id: first.run.id } });
      expect(await store.getRun('run_000000000000')).toBeUndefined();
    });

    it('checkpoints each step: attempts, a retried failure shown, the result kept', async () => {
      const { store } = await start();
      const { run } = await store.createRun(status, request());
      expect(await store.startRun(run.id, 'w1')).toMatchObject({
        resumed: false,
        run: { status: 'running', workerId: 'w1' },
      });
      expect(await store.stepStarted(run.id, 0, 'w1')).toMatchObject({ status: 'running', attempt: 1, workerId: 'w1' });
      await store.stepAttemptFailed(run.id, 0, 'the API server did not answer');
      const failing = await store.getRun(run.id);
      expect(failing?.steps[0]).toMatchObject({ status: 'running', error: 'the API server did not answer' });
      expect(await store.stepStarted(run.id, 0, 'w1')).toMatchObject({ attempt: 2, error: undefined });
      const done = await store.stepSucceeded(run.id, 0, { summary: 'blue live', output: { replicas: 3 } });
      expect(done).toMatchObject({ status: 'succeeded', summary: 'blue live', output: { replicas: 3 } });
      expect(done.finishedAt).toBeInstanceOf(Date);
      // Read back as written: times as Dates, the output as stored.
      expect((await store.getRun(run.id))?.steps[0]).toEqual(done);
      await store.stepStarted(run.id, 1, 'w1');
      expect((await store.getRun(run.id))?.currentStep).toBe(1);
      expect(await store.stepEnded(run.id, 1, 'failed', 'selector conflict')).toMatchObject({
        status: 'failed',
        error: 'selector conflict',
      });
    });

    it('writes a step boundary at once: the success and the next start, or only the success once cancelled', async () => {
      const { store } = await start();
      const { run } = await store.createRun(status, request());
      await store.startRun(run.id, 'w1');
      await store.stepStarted(run.id, 0, 'w1');
      const boundary = await store.stepSucceededThenStart(
        run.id,
        0,
        { summary: 'blue live', output: { n: 3 } },
        {
          index: 1,
          workerId: 'w1',
        },
      );
      expect(boundary.done).toMatchObject({ index: 0, status: 'succeeded', summary: 'blue live', output: { n: 3 } });
      expect(boundary.started).toMatchObject({ index: 1, status: 'running', attempt: 1, workerId: 'w1' });
      expect(boundary.cancel).toEqual({ requested: false, by: undefined });
      const read = await store.getRun(run.id);
      expect(read?.currentStep).toBe(1);
      expect(read?.steps.slice(0, 2)).toEqual([boundary.done, boundary.started]);

      await store.requestCancel(run.id, 'U0BOB');
      const stopped = await store.stepSucceededThenStart(run.id, 1, {}, { index: 2, workerId: 'w1' });
      expect(stopped.done).toMatchObject({ index: 1, status: 'succeeded' });
      expect(stopped.started).toBeUndefined();
      expect(stopped.cancel).toEqual({ requested: true, by: 'U0BOB' });
      const after = await store.getRun(run.id);
      expect(after?.currentStep).toBe(1);
      expect(after?.steps[2]).toMatchObject({ status: 'pending', attempt: 0 });
    });

    it('ends a run once: the step in flight fails, the rest are skipped, and the end is told', async () => {
      const { store, finished } = await start();
      const { run } = await store.createRun(status, request());
      await store.startRun(run.id, 'w1');
      await store.stepStarted(run.id, 0, 'w1');
      await store.stepSucceeded(run.id, 0, {});
      await store.stepStarted(run.id, 1, 'w1');
      const end = await store.finishRun(run.id, { status: 'failed', error: 'scale timed out' });
      expect(end).toMatchObject({ finished: true, run: { status: 'failed', error: 'scale timed out' } });
      expect(end.run.finishedAt).toBeInstanceOf(Date);
      expect((await store.getRun(run.id))?.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'skipped']);
      expect(finished.map((r) => [r.id, r.status])).toEqual([[run.id, 'failed']]);
      const late = await store.finishRun(run.id, { status: 'succeeded' });
      expect(late).toMatchObject({ finished: false, run: { status: 'failed' } });
      expect(finished).toHaveLength(1);
      expect(await store.startRun(run.id, 'w2')).toBeUndefined();
    });

    it("refuses its worker's step writes once the run was ended without it (given up on)", async () => {
      const { store } = await start();
      const { run } = await store.createRun(status, request());
      await store.startRun(run.id, 'w1');
      await store.stepStarted(run.id, 0, 'w1');
      await store.finishRun(run.id, { status: 'failed', error: 'the worker gave up' });
      const refused = { name: 'RunTakenOverError' };
      await expect(store.stepSucceeded(run.id, 0, {}, 'w1')).rejects.toMatchObject(refused);
      await expect(store.stepSucceededThenStart(run.id, 0, {}, { index: 1, workerId: 'w1' })).rejects.toMatchObject(
        refused,
      );
      await expect(store.stepStarted(run.id, 1, 'w1')).rejects.toMatchObject(refused);
      expect((await store.getRun(run.id))?.steps.map((s) => s.status)).toEqual(['failed', 'skipped', 'skipped']);
    });

    it('says a run was resumed when a second worker starts it, naming the first', async () => {
      const { store } = await start();
      const { run } = await store.createRun(status, request());
      await store.startRun(run.id, 'w1');
      const resumed = await store.startRun(run.id, 'w2');
      expect(resumed).toMatchObject({ resumed: true, previousWorker: 'w1', run: { workerId: 'w2', resumedCount: 1 } });
    });

    it('refuses a second change to a busy target, and creates nothing', async () => {
      const { store } = await start();
      const { run: holder } = await store.createRun(refusing, request());
      const refused = store.createRun(refusing, request({ requestId: 'req_2' }));
      await expect(refused).rejects.toBeInstanceOf(AppError);
      await expect(refused).rejects.toMatchObject({ code: 'target_busy' });
      await expect(refused).rejects.toThrow(holder.id);
      expect(await store.listRuns({ limit: 10 })).toHaveLength(1);
      // Another target is free.
      expect((await store.createRun(refusing, request({ input: { environment: 'staging' } }))).startable).toBe(true);
    });

    it('says beforehand what creating a run would refuse, and nothing for what it would queue', async () => {
      const { store } = await start();
      const busy = (kind: typeof refusing, input: Record<string, unknown>) =>
        store.refuseIfBusy(kind.target?.(input), kind.covers?.(input), kind.onBusy ?? 'refuse');
      const production = { environment: 'production' };
      const risk = { environment: 'production', service: 'risk-manager' };
      await expect(busy(refusing, production)).resolves.toBeUndefined();
      const rollback = await store.createRun(refusing, request());
      await expect(busy(refusing, production)).rejects.toThrow(
        `env:production is already being changed by run ${rollback.run.id}`,
      );
      // A kind that queues behind the holder is not refused; another environment is free.
      await expect(busy(queueing, production)).resolves.toBeUndefined();
      await expect(busy(refusing, { environment: 'staging' })).resolves.toBeUndefined();
      // A run on a service under a covering one, and a covering one over a changed service, are refused.
      const scale = await store.createRun(serviceChange, request({ requestId: 'req_2', input: risk }));
      await expect(busy(alsoCovering, production)).rejects.toThrow(
        `Run ${scale.run.id} is changing service:production/risk-manager`,
      );
      await store.finishRun(scale.run.id, { status: 'succeeded', summary: 'scaled' });
      await expect(busy(alsoCovering, production)).resolves.toBeUndefined();
      await store.finishRun(rollback.run.id, { status: 'succeeded', summary: 'rolled back' });
      await expect(busy(refusing, production)).resolves.toBeUndefined();
    });

    it('never lets two runs covering the same targets overlap (a database rollback and a failover)', async () => {
      const { store } = await start();
      const rollback = await store.createRun(covering, request());
      const failover = store.createRun(alsoCovering, request({ requestId: 'req_2' }));
      await expect(failover).rejects.toMatchObject({ code: 'target_busy' });
      await expect(failover).rejects.toThrow(
        `Run ${rollback.run.id} is changing every target under service:production/`,
      );
      // Another environment's is not held up.
      expect(
        (await store.createRun(alsoCovering, request({ requestId: 'req_3', input: { environment: 'staging' } })))
          .startable,
      ).toBe(true);
      await store.finishRun(rollback.run.id, { status: 'succeeded', summary: 'restored' });
      expect((await store.createRun(alsoCovering, request({ requestId: 'req_4' }))).startable).toBe(true);
    });

    it('never lets a covering run and a run on a target under it overlap, whichever comes first', async () => {
      const { store } = await start();
      const risk = { environment: 'production', service: 'risk-manager' };
      const scale = await store.createRun(serviceChange, request({ input: risk }));
      // The database rollback is refused while a service of its environment is being changed.
      const refused = store.createRun(covering, request({ requestId: 'req_2' }));
      await expect(refused).rejects.toMatchObject({ code: 'target_busy' });
      await expect(refused).rejects.toThrow(`Run ${scale.run.id} is changing service:production/risk-manager`);
      // Another environment's is not.
      const staging = await store.createRun(
        covering,
        request({ requestId: 'req_3', input: { environment: 'staging' } }),
      );
      expect(staging).toMatchObject({ created: true, startable: true });
      await store.finishRun(scale.run.id, { status: 'succeeded', summary: 'scaled' });
      const rollback = await store.createRun(covering, request({ requestId: 'req_4' }));
      expect(rollback.startable).toBe(true);
      // While it is active (running or paused included), no service of production is changed, even one that would queue.
      await store.startRun(rollback.run.id, 'w1');
      const blocked = store.createRun(serviceChange, request({ requestId: 'req_5', input: risk }));
      await expect(blocked).rejects.toMatchObject({ code: 'target_busy' });
      await expect(blocked).rejects.toThrow(
        `Run ${rollback.run.id} is changing every target under service:production/`,
      );
      await expect(
        store.createRun(serviceChange, request({ requestId: 'req_6', input: { ...risk, environment: 'staging' } })),
      ).rejects.toThrow(staging.run.id);
      expect(
        (await store.createRun(serviceChange, request({ requestId: 'req_7', input: { ...risk, environment: 'dr' } })))
          .startable,
      ).toBe(true);
      await store.finishRun(rollback.run.id, { status: 'failed', error: 'restore failed' });
      expect((await store.createRun(serviceChange, request({ requestId: 'req_8', input: risk }))).startable).toBe(true);
      // Refused creations left nothing behind.
      expect((await store.listRuns({ limit: 20 })).map((r) => r.requestId).sort()).toEqual([
        'req_1',
        'req_3',
        'req_4',
        'req_7',
        'req_8',
      ]);
    });

    it('queues changes to a busy target and hands it over in order; a cancelled waiter is passed over', async () => {
      const { store, finished } = await start();
      const { run: first } = await store.createRun(queueing, request());
      const second = await store.createRun(queueing, request({ requestId: 'req_2' }));
      const third = await store.createRun(queueing, request({ requestId: 'req_3' }));
      const fourth = await store.createRun(queueing, request({ requestId: 'req_4' }));
      expect(second).toMatchObject({ created: true, startable: false, waitingFor: first.id });
      expect(await store.mayStart(second.run.id)).toBe(false);
      expect(await store.requestCancel(second.run.id, 'U0BOB')).toMatchObject({ cancelRequested: true });
      expect(await store.requestCancel(second.run.id, 'U0CAROL')).toMatchObject({ cancelledBy: 'U0BOB' });
      expect(await store.cancelState(second.run.id)).toEqual({ requested: true, by: 'U0BOB' });
      // The holder, and the cancelled waiter (a worker must close it), are due in the queue; the others wait.
      expect((await store.runsToEnqueue()).map((r) => r.id)).toEqual([first.id, second.run.id]);
      const end = await store.finishRun(first.id, { status: 'succeeded', summary: 'restarted' });
      expect(end.next).toBe(third.run.id);
      expect(await store.mayStart(third.run.id)).toBe(true);
      expect(await store.mayStart(fourth.run.id)).toBe(false);
      expect((await store.createRun(queueing, request({ requestId: 'req_4', idempotencyKey: 'k' }))).waitingFor).toBe(
        third.run.id,
      );
      expect(finished.map((r) => r.summary)).toEqual(['restarted']);
      expect(await store.cancelState(first.id)).toEqual({ requested: false, by: undefined });
      expect(await store.requestCancel(first.id, 'U0BOB')).toBeUndefined();
    });

    it('repairs a lost hand-over: the oldest waiter is handed the target', async () => {
      const { store, loseHandOver } = await start();
      const { run: holder } = await store.createRun(queueing, request());
      const waiter = await store.createRun(queueing, request({ requestId: 'req_2' }));
      expect(await store.repairTargets()).toEqual([]);
      await store.finishRun(holder.id, { status: 'succeeded' });
      await loseHandOver('env:production');
      expect(await store.mayStart(waiter.run.id)).toBe(false);
      expect(await store.repairTargets()).toEqual([{ id: waiter.run.id, requestId: 'req_2' }]);
      expect(await store.mayStart(waiter.run.id)).toBe(true);
      expect(await store.repairTargets()).toEqual([]);
    });

    it('keeps the first status message ts', async () => {
      const { store } = await start();
      const { run } = await store.createRun(status, request());
      expect(await store.setStatusMessage(run.id, '1.1')).toBe('1.1');
      expect(await store.setStatusMessage(run.id, '2.2')).toBe('1.1');
      expect((await store.getRun(run.id))?.statusMessageTs).toBe('1.1');
    });

    it('lists active runs first, then newest first, by status, with the steps done', async () => {
      const { store } = await start();
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await store.createRun(status, request({ requestId: `req_${i}` }))).run.id);
      await store.startRun(ids[0]!, 'w1');
      await store.stepStarted(ids[0]!, 0, 'w1');
      await store.stepSucceeded(ids[0]!, 0, {});
      await store.finishRun(ids[2]!, { status: 'cancelled' });
      await store.finishRun(ids[3]!, { status: 'succeeded' });
      const all = await store.listRuns({ limit: 10 });
      expect(all.map((r) => r.id)).toEqual([ids[1], ids[0], ids[3], ids[2]]);
      expect(all.find((r) => r.id === ids[0])?.stepsDone).toBe(1);
      expect((await store.listRuns({ limit: 10, status: 'running' })).map((r) => r.id)).toEqual([ids[0]]);
      expect((await store.listRuns({ limit: 10, status: ['cancelled', 'queued'] })).map((r) => r.id)).toEqual([
        ids[1],
        ids[2],
      ]);
      expect(await store.listRuns({ limit: 1 })).toHaveLength(1);
    });

    runStorePauseContract(start);
  });
}
