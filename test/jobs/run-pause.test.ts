import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import { defineRunKind, pauseRun, type AnyRunKind, type RunDecision } from '../../src/jobs/run-definition.ts';
import { defaultRetryPolicy } from '../../src/jobs/retry-policy.ts';
import { StepRunner } from '../../src/jobs/step-runner.ts';
import { RunDecisions } from '../../src/jobs/run-decisions.ts';
import { RunPauseSweeper } from '../../src/jobs/run-pause-sweeper.ts';
import { pauseMessageInTransaction, pauseMessageKey } from '../../src/jobs/pause-message.ts';
import { createLogger } from '../../src/logger.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { MemoryRunStore } from '../support/memory-run-store.ts';
import { MemorySlackOutbox, noTransaction } from '../support/memory-slack-outbox.ts';

/**
 * Pausing a run for a decision, on the in-memory ports and a clock the test moves: the pause is stored
 * (and its buttons written to the outbox) before the worker lets go, the first decision wins, the run
 * resumes with it, a failure pause retries or ends by the kind's resolution, and an expired pause
 * escalates once while the run stays paused.
 */
const logger = createLogger({ level: 'silent' });
const thread = { channel: 'C0OPS', ts: '1700000000.000100' };
const options = [
  { id: 'retry', label: 'Retry step' },
  { id: 'rollback', label: 'Roll back', style: 'danger' as const },
  { id: 'abort', label: 'Abort, leave as is' },
];

function engine(kinds: AnyRunKind[]) {
  const clock = new ManualClock();
  const outbox = new MemorySlackOutbox(clock.now);
  const pauseMessage = pauseMessageInTransaction(outbox);
  const store = new MemoryRunStore({
    now: clock.now,
    onPauseChanged: (run, pause) => pauseMessage(noTransaction, run, pause),
  });
  const enqueued: string[] = [];
  const decisions = new RunDecisions({ store, enqueue: async (runId) => void enqueued.push(runId) });
  const runner = new StepRunner<unknown>({
    store,
    kinds: new Map(kinds.map((kind) => [kind.kind, kind])),
    deps: {},
    logger,
    workerId: 'w1',
    retry: defaultRetryPolicy,
    defaultStepTimeoutMs: 60_000,
    onTargetHandedOver: async () => undefined,
    clock,
  });
  const execute = async (runId: string) => {
    let ended = false;
    const execution = runner.execute(runId, 'req_1', new AbortController().signal).finally(() => (ended = true));
    while (!ended) await turn();
    return execution;
  };
  const create = async (kind: AnyRunKind) =>
    (await store.createRun(kind, { input: {}, requestId: 'req_1', requestedBy: 'U0ALICE', teamId: 'T1', thread })).run
      .id;
  return { clock, outbox, store, decisions, enqueued, execute, create };
}

describe('a run paused for a decision', () => {
  it('stores the pause and its buttons, holds no worker, and resumes the step with the first decision', async () => {
    const seen: Array<RunDecision | undefined> = [];
    const ask = defineRunKind<unknown>({
      kind: 'ask',
      target: () => 'env:production',
      steps: [
        {
          id: 'watch',
          title: 'Watch',
          run: async (ctx) => {
            seen.push(ctx.decision);
            if (!ctx.decision) throw pauseRun({ question: 'Warning: continue?', options, expiresInMs: 60_000 });
            return { summary: `went on: ${ctx.decision.optionId}` };
          },
        },
      ],
    });
    const { store, outbox, decisions, enqueued, execute, create } = engine([ask]);
    const id = await create(ask);
    const paused = await execute(id);
    expect(paused?.status).toBe('paused');
    const pause = await store.latestPause(id);
    expect(pause).toMatchObject({ stepIndex: 0, cause: 'step', question: 'Warning: continue?' });
    expect((await store.getRun(id))?.steps[0]?.status).toBe('paused');
    const message = await outbox.get(pauseMessageKey(pause!.id));
    expect(JSON.stringify(message?.payload.blocks)).toContain('"action_id":"run:decide:rollback"');
    // The paused run keeps its target: nothing else changes production meanwhile.
    expect(await store.mayStart(id)).toBe(true);
    expect(await store.runsToEnqueue()).toEqual([]);

    // A second execution of a stale job does nothing while the run is paused.
    expect((await execute(id))?.status).toBe('paused');
    expect(seen).toEqual([undefined]);

    expect(await decisions.decide(pause!.id, 'nonsense', 'U0BOB')).toMatchObject({ outcome: 'unknown-option' });
    expect(await decisions.decide(pause!.id, 'retry', 'U0BOB')).toMatchObject({ outcome: 'decided' });
    const second = await decisions.decide(pause!.id, 'rollback', 'U0CAROL');
    expect(second).toMatchObject({
      outcome: 'already-decided',
      pause: { decision: { optionId: 'retry', decidedBy: 'U0BOB' } },
    });
    expect(enqueued).toEqual([id]);
    expect(JSON.stringify((await outbox.get(pauseMessageKey(pause!.id)))?.payload.blocks)).not.toContain('run:decide:');

    const done = await execute(id);
    expect(done).toMatchObject({ status: 'succeeded', summary: 'went on: retry' });
    expect(seen[1]).toMatchObject({ pauseId: pause!.id, optionId: 'retry', decidedBy: 'U0BOB' });
  });

  it('turns a failed step into a question; retry runs it again, the kind resolves the others', async () => {
    let failing = true;
    const resolved: string[] = [];
    const kind = defineRunKind<unknown>({
      kind: 'change',
      steps: [
        { id: 'a', title: 'A', run: async () => ({ summary: 'a done' }) },
        {
          id: 'smoke',
          title: 'Smoke tests',
          run: async () => {
            if (failing) throw new AppError('smoke_failed', 'smoke tests failed');
            return { summary: 'smoke ok' };
          },
        },
      ],
      onStepFailed: async ({ stepId, completedSteps, error }) => ({
        question: `${stepId} failed (${error}); done: ${[...completedSteps].join(',')}`,
        options,
        expiresInMs: 30 * 60_000,
      }),
      resolveFailure: async ({ decision, error }) => {
        resolved.push(decision.optionId);
        return decision.optionId === 'retry'
          ? { then: 'retry' }
          : { then: 'fail', error: `${error}; rolled back by <@${decision.decidedBy}>` };
      },
    });
    const { store, decisions, execute, create } = engine([kind]);
    const first = await create(kind);
    expect((await execute(first))?.status).toBe('paused');
    const pause = await store.latestPause(first);
    expect(pause).toMatchObject({
      cause: 'failure',
      error: 'smoke tests failed',
      question: 'smoke failed (smoke tests failed); done: a',
    });
    await decisions.decide(pause!.id, 'retry', 'U0BOB');
    // Still failing: the retry fails and pauses again, with a new question.
    expect((await execute(first))?.status).toBe('paused');
    const again = await store.latestPause(first);
    expect(again?.id).not.toBe(pause?.id);
    failing = false;
    await decisions.decide(again!.id, 'retry', 'U0BOB');
    expect(await execute(first)).toMatchObject({ status: 'succeeded' });

    failing = true;
    const second = await create(kind);
    await execute(second);
    const secondPause = await store.latestPause(second);
    await decisions.decide(secondPause!.id, 'rollback', 'U0CAROL');
    const ended = await execute(second);
    expect(ended).toMatchObject({ status: 'failed' });
    expect(ended?.error).toBe('smoke tests failed; rolled back by <@U0CAROL>');
    expect((await store.getRun(second))?.steps[1]?.status).toBe('failed');
    expect(resolved).toEqual(['retry', 'retry', 'rollback']);
  });

  it('escalates an expired pause once and keeps the run paused for a person to decide', async () => {
    const kind = defineRunKind<unknown>({
      kind: 'ask',
      steps: [
        {
          id: 'ask',
          title: 'Ask',
          run: async (ctx) => {
            if (!ctx.decision) throw pauseRun({ question: 'Go on?', options, expiresInMs: 15 * 60_000 });
            return { summary: ctx.decision.optionId };
          },
        },
      ],
    });
    const { clock, store, outbox, decisions, execute, create } = engine([kind]);
    const id = await create(kind);
    await execute(id);
    const escalations: string[] = [];
    const sweeper = new RunPauseSweeper({
      store,
      now: clock.now,
      logger,
      escalate: async (run, pause) => {
        escalations.push(`${run.id}:${pause.id}`);
        return 'incident INC-1';
      },
    });
    clock.advance(15 * 60_000 - 1);
    expect(await sweeper.sweep()).toEqual([]);
    clock.advance(1);
    const pause = await store.latestPause(id);
    expect(await sweeper.sweep()).toEqual([pause!.id]);
    expect(await sweeper.sweep()).toEqual([]);
    expect(escalations).toEqual([`${id}:${pause!.id}`]);
    expect((await store.getRun(id))?.status).toBe('paused');
    const message = JSON.stringify((await outbox.get(pauseMessageKey(pause!.id)))?.payload.blocks);
    expect(message).toContain('escalated (incident INC-1)');
    expect(message).toContain('run:decide:abort');
    await decisions.decide(pause!.id, 'abort', 'U0BOB');
    expect(await execute(id)).toMatchObject({ status: 'succeeded', summary: 'abort' });
  });

  it('cancels a paused run: it is queued again for a worker to close', async () => {
    const kind = defineRunKind<unknown>({
      kind: 'ask',
      steps: [
        {
          id: 'ask',
          title: 'Ask',
          run: async () => Promise.reject(pauseRun({ question: '?', options, expiresInMs: 1 })),
        },
      ],
    });
    const { store, execute, create } = engine([kind]);
    const id = await create(kind);
    await execute(id);
    expect((await store.requestCancel(id, 'U0BOB'))?.status).toBe('queued');
    expect(await execute(id)).toMatchObject({ status: 'cancelled' });
    expect((await store.getRun(id))?.steps[0]?.status).toBe('cancelled');
  });

  it('ends a run cancelled while its failed step was being turned into a question, keeping the failure', async () => {
    let cancelWhileAsking: () => Promise<unknown> = async () => undefined;
    const kind = defineRunKind<unknown>({
      kind: 'cancelled-while-asking',
      target: () => 'env:production',
      steps: [
        {
          id: 'deploy',
          title: 'Deploy',
          run: async () => Promise.reject(new AppError('smoke_failed', 'smoke test failed')),
        },
      ],
      // Reading the cluster for the question takes a moment: a cancel lands meanwhile.
      onStepFailed: async () => {
        await cancelWhileAsking();
        return { question: 'Roll back?', options, expiresInMs: 60_000 };
      },
    });
    const { store, execute, create } = engine([kind]);
    const id = await create(kind);
    cancelWhileAsking = () => store.requestCancel(id, 'U0CAROL');
    expect(await execute(id)).toMatchObject({ status: 'cancelled' });
    const run = await store.getRun(id);
    expect(run?.steps[0]).toMatchObject({ status: 'failed', error: 'smoke test failed' });
    // No question waits, and the target went with the run's end.
    expect(await store.latestPause(id)).toBeUndefined();
    expect(await store.mayStart(await create(kind))).toBe(true);
  });
});
