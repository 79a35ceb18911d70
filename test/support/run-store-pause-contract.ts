import { expect, it } from 'vitest';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import type { NewPause } from '../../src/jobs/run-record.ts';
import type { NewRun, RunStore } from '../../src/jobs/run-store.ts';

const steps = ['switch', 'scale', 'verify'].map((id) => ({ id, title: `Step ${id}`, run: async () => undefined }));
/** Holds env:<environment> and refuses a second change: a paused run must keep its target. */
const deploy = defineRunKind<unknown>({
  kind: 'deploy',
  target: (input) => `env:${(input as { environment: string }).environment}`,
  steps,
});
const request = (requestId: string): NewRun => ({
  input: { environment: 'production' },
  requestId,
  requestedBy: 'U0ALICE',
  teamId: 'T0EAFIX',
});
const HOUR = 3_600_000;
const question = (expiresAt: Date, error?: string): NewPause => ({
  cause: error === undefined ? 'step' : 'failure',
  question: 'The error rate is at the warning level. Continue or roll back?',
  options: [
    { id: 'continue', label: 'Continue', style: 'primary' },
    { id: 'rollback', label: 'Roll back', style: 'danger' },
  ],
  error,
  expiresAt,
});

/** A run started and paused at its second step; `expiresAt` an hour on unless given. */
async function pausedRun(store: RunStore, expiresAt = new Date(Date.now() + HOUR), error?: string) {
  const { run } = await store.createRun(deploy, request('req_1'));
  await store.startRun(run.id, 'w1');
  await store.stepStarted(run.id, 0, 'w1');
  await store.stepSucceeded(run.id, 0, {});
  await store.stepStarted(run.id, 1, 'w1');
  const pause = await store.pauseRun(run.id, 1, question(expiresAt, error));
  if (!pause) throw new Error('the running run did not pause');
  return { run, pause };
}

/** The RunStore contract's part on pausing a run for a decision (see PauseRequest in run-definition.ts). */
export function runStorePauseContract(start: () => Promise<{ store: RunStore }>): void {
  it('records a pause with its question, options and expiry; the run holds its target but no job', async () => {
    const { store } = await start();
    const expiresAt = new Date(Date.now() + HOUR);
    const { run, pause } = await pausedRun(store, expiresAt, 'smoke test failed');
    expect(pause).toMatchObject({
      runId: run.id,
      stepIndex: 1,
      stepId: 'scale',
      cause: 'failure',
      question: 'The error rate is at the warning level. Continue or roll back?',
      options: [
        { id: 'continue', label: 'Continue', style: 'primary' },
        { id: 'rollback', label: 'Roll back', style: 'danger' },
      ],
      error: 'smoke test failed',
      expiresAt,
    });
    expect([pause.decision, pause.escalatedAt, pause.escalation]).toEqual([undefined, undefined, undefined]);
    expect(pause.id).toMatch(/^pause_[0-9a-f]{12}$/);
    expect(pause.createdAt).toBeInstanceOf(Date);
    expect(await store.getPause(pause.id)).toEqual(pause);
    expect(await store.latestPause(run.id)).toEqual(pause);
    const stored = await store.getRun(run.id);
    expect(stored?.status).toBe('paused');
    expect(stored?.steps.map((s) => s.status)).toEqual(['succeeded', 'paused', 'pending']);
    expect(stored?.steps[1]?.error).toBe('smoke test failed');
    // Only a running run pauses; a paused one is neither started again nor re-enqueued.
    expect(await store.pauseRun(run.id, 1, question(expiresAt))).toBeUndefined();
    expect(await store.startRun(run.id, 'w2')).toBeUndefined();
    expect(await store.runsToEnqueue()).toEqual([]);
    expect(await store.mayStart(run.id)).toBe(true);
    await expect(store.createRun(deploy, request('req_2'))).rejects.toMatchObject({ code: 'target_busy' });
    expect(await store.getPause('pause_000000000000')).toBeUndefined();
  });

  it('keeps the first decision; the decided run is queued again and resumes at the paused step', async () => {
    const { store } = await start();
    const { run, pause } = await pausedRun(store);
    const first = await store.decide(pause.id, 'rollback', 'U0BOB');
    expect(first).toMatchObject({ decided: true, pause: { decision: { optionId: 'rollback', decidedBy: 'U0BOB' } } });
    expect(first?.pause.decision?.decidedAt).toBeInstanceOf(Date);
    const second = await store.decide(pause.id, 'continue', 'U0CAROL');
    expect(second).toEqual({ decided: false, pause: first?.pause });
    expect(await store.decide('pause_000000000000', 'continue', 'U0BOB')).toBeUndefined();
    expect(await store.latestPause(run.id)).toEqual(first?.pause);
    expect((await store.getRun(run.id))?.status).toBe('queued');
    expect((await store.runsToEnqueue()).map((r) => r.id)).toEqual([run.id]);
    // A decided run was not running: starting it is no crash resumption.
    expect(await store.startRun(run.id, 'w2')).toMatchObject({ resumed: false, run: { status: 'running' } });
    expect(await store.stepStarted(run.id, 1, 'w2')).toMatchObject({ status: 'running', attempt: 2 });
    await store.stepSucceeded(run.id, 1, {});
    expect((await store.getRun(run.id))?.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'pending']);
  });

  it('does not pause a run once a cancel was requested: it must end, not hold its target', async () => {
    const { store } = await start();
    const { run } = await store.createRun(deploy, request('req_1'));
    await store.startRun(run.id, 'w1');
    await store.stepStarted(run.id, 0, 'w1');
    await store.requestCancel(run.id, 'U0CAROL');
    expect(await store.pauseRun(run.id, 0, question(new Date(Date.now() + HOUR), 'failed'), 'w1')).toBeUndefined();
    expect(await store.getRun(run.id)).toMatchObject({ status: 'running', cancelRequested: true });
    expect(await store.latestPause(run.id)).toBeUndefined();
  });

  it('records no decision on a pause whose run was cancelled meanwhile', async () => {
    const { store } = await start();
    const { run, pause } = await pausedRun(store);
    await store.requestCancel(run.id, 'U0CAROL');
    const late = await store.decide(pause.id, 'rollback', 'U0BOB');
    expect(late).toMatchObject({ decided: false, runStatus: 'queued', runCancelled: true });
    expect(late?.pause.decision).toBeUndefined();
    expect((await store.getPause(pause.id))?.decision).toBeUndefined();
  });

  it('escalates an expired, undecided pause once; the run stays paused and can still be decided', async () => {
    const { store } = await start();
    const expiresAt = new Date(Date.now() + HOUR);
    const { run, pause } = await pausedRun(store, expiresAt);
    expect(await store.expiredPauses(new Date(expiresAt.getTime() - 1))).toEqual([]);
    expect((await store.expiredPauses(expiresAt)).map((p) => p.id)).toEqual([pause.id]);
    expect(await store.markEscalated(pause.id, 'incident INC-1 opened')).toBe(true);
    expect(await store.markEscalated(pause.id, 'incident INC-2 opened')).toBe(false);
    const escalated = await store.getPause(pause.id);
    expect(escalated).toMatchObject({ escalation: 'incident INC-1 opened' });
    expect(escalated?.decision).toBeUndefined();
    expect(escalated?.escalatedAt).toBeInstanceOf(Date);
    expect(await store.expiredPauses(new Date(expiresAt.getTime() + HOUR))).toEqual([]);
    expect((await store.getRun(run.id))?.status).toBe('paused');
    expect(await store.decide(pause.id, 'continue', 'U0BOB')).toMatchObject({ decided: true });
    expect((await store.getRun(run.id))?.status).toBe('queued');
  });

  it('does not escalate a decided pause', async () => {
    const { store } = await start();
    const expiresAt = new Date(Date.now() + HOUR);
    const { pause } = await pausedRun(store, expiresAt);
    await store.decide(pause.id, 'continue', 'U0BOB');
    expect(await store.expiredPauses(new Date(expiresAt.getTime() + HOUR))).toEqual([]);
    expect(await store.markEscalated(pause.id, 'incident INC-1 opened')).toBe(false);
  });

  it('cancels a paused run: queued again for a worker to close, the paused step cancelled, the target freed', async () => {
    const { store } = await start();
    const { run, pause } = await pausedRun(store);
    expect(await store.requestCancel(run.id, 'U0BOB')).toMatchObject({ status: 'queued', cancelRequested: true });
    expect(await store.cancelState(run.id)).toEqual({ requested: true, by: 'U0BOB' });
    expect((await store.runsToEnqueue()).map((r) => r.id)).toEqual([run.id]);
    const end = await store.finishRun(run.id, { status: 'cancelled', error: 'cancelled by U0BOB' });
    expect(end).toMatchObject({ finished: true, run: { status: 'cancelled' } });
    expect((await store.getRun(run.id))?.steps.map((s) => s.status)).toEqual(['succeeded', 'cancelled', 'skipped']);
    // A pause of an ended run no longer escalates.
    expect(await store.expiredPauses(new Date(pause.expiresAt.getTime() + HOUR))).toEqual([]);
    expect((await store.createRun(deploy, request('req_2'))).startable).toBe(true);
  });

  it('lists a paused run among the active ones and by its status', async () => {
    const { store } = await start();
    const { run } = await pausedRun(store);
    const { run: later } = await store.createRun(defineRunKind<unknown>({ kind: 'status', steps }), request('req_2'));
    await store.finishRun(later.id, { status: 'succeeded' });
    const all = await store.listRuns({ limit: 10 });
    expect(all.map((r) => [r.id, r.status, r.stepsDone])).toEqual([
      [run.id, 'paused', 1],
      [later.id, 'succeeded', 0],
    ]);
    expect((await store.listRuns({ limit: 10, status: 'paused' })).map((r) => r.id)).toEqual([run.id]);
    expect(await store.listRuns({ limit: 10, status: ['queued', 'running'] })).toEqual([]);
  });
}
