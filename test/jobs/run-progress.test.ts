import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import { defineRunKind, type AnyRunKind, type StepDefinition } from '../../src/jobs/run-definition.ts';
import { defaultRetryPolicy, type RetryPolicy } from '../../src/jobs/retry-policy.ts';
import { StepRunner } from '../../src/jobs/step-runner.ts';
import { finalReplyInTransaction, runStatusKey, ThreadProgress } from '../../src/jobs/thread-progress.ts';
import { createLogger } from '../../src/logger.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { MemoryRunStore } from '../support/memory-run-store.ts';
import { MemorySlackOutbox, noTransaction } from '../support/memory-slack-outbox.ts';

/**
 * A run's steps, checkpoints and Slack report, on the in-memory ports and a clock the test moves: what
 * the thread shows for success, failure, retries, budgets and timeouts, with no database and no waiting.
 */
const logger = createLogger({ level: 'silent' });
const thread = { channel: 'C0OPS', ts: '1700000000.000100' };

function engine(kinds: AnyRunKind[], retry: Partial<RetryPolicy> = {}) {
  const clock = new ManualClock();
  const outbox = new MemorySlackOutbox(clock.now);
  const finalReply = finalReplyInTransaction(outbox);
  const store = new MemoryRunStore({ now: clock.now, onFinished: (run) => finalReply(noTransaction, run) });
  const runner = new StepRunner<unknown>({
    store,
    kinds: new Map(kinds.map((kind) => [kind.kind, kind])),
    deps: {},
    observer: new ThreadProgress({ store, outbox, logger }),
    logger,
    workerId: 'w1',
    retry: { ...defaultRetryPolicy, ...retry },
    defaultStepTimeoutMs: 60_000,
    onTargetHandedOver: async () => undefined,
    clock,
  });
  /** Runs a run to its end, moving the clock by `tick` whenever the run waits on it. */
  async function run(kind: AnyRunKind, tick = 0) {
    const { run } = await store.createRun(kind, {
      input: {},
      requestId: 'req_1',
      requestedBy: 'U0ALICE',
      teamId: 'T1',
      thread,
    });
    let ended = false;
    const execution = runner.execute(run.id, run.requestId, new AbortController().signal).finally(() => (ended = true));
    while (!ended) {
      await turn();
      if (clock.waiting > 0) clock.advance(tick);
    }
    await execution;
    const status = await outbox.get(runStatusKey(run.id));
    const replies = (await outbox.pending(100))
      .filter((r) => r.key !== runStatusKey(run.id))
      .map((r) => r.payload.text);
    return {
      id: run.id,
      stored: await store.getRun(run.id),
      status,
      blocks: JSON.stringify(status?.payload.blocks),
      replies,
    };
  }
  return { run };
}

const step = (id: string, title: string, run: StepDefinition<unknown>['run'], extra = {}): StepDefinition<unknown> => ({
  id,
  title,
  run,
  ...extra,
});
const upstream = () => new AppError('api_unavailable', 'the API server did not answer', { kind: 'upstream' });

describe('a run reported in its thread', () => {
  it('edits one status message to the final state and replies once with the completion', async () => {
    const deploy = defineRunKind<unknown>({
      kind: 'deploy',
      steps: [1, 2, 3].map((n) => step(`s${n}`, `Step ${n}`, async () => ({ summary: `did ${n}` }))),
    });
    const { id, status, blocks, replies } = await engine([deploy]).run(deploy);
    expect(status?.payload.text).toBe(`deploy ${id}: succeeded (3/3 steps done)`);
    // Every event rewrote the same row: one message, edited.
    expect(status?.version).toBeGreaterThan(3);
    for (const n of [1, 2, 3]) expect(blocks).toContain(`:white_check_mark: ${n}. Step ${n} (0 ms) — did ${n}`);
    expect(replies).toEqual([`:white_check_mark: *deploy* \`${id}\` finished.\ndid 1\ndid 2\ndid 3`]);
  });

  it('replies with the failing step and its reason, and shows the steps never run', async () => {
    const broken = defineRunKind<unknown>({
      kind: 'broken',
      steps: [
        step('ok', 'Scale blue up', async () => ({ summary: 'eafix-blue 0→3' })),
        step('bad', 'Switch traffic', async () => {
          throw new AppError('selector_conflict', 'service eafix-gateway selects version=purple');
        }),
        step('later', 'Verify', async () => undefined),
      ],
    });
    const { id, status, blocks, replies } = await engine([broken]).run(broken);
    expect(status?.payload.text).toBe(`broken ${id}: failed (1/3 steps done)`);
    expect(blocks).toContain(':x: 2. Switch traffic — service eafix-gateway selects version=purple');
    expect(blocks).toContain(':heavy_minus_sign: 3. Verify (not run)');
    expect(replies).toEqual([
      ':x: Step 2 *Switch traffic* failed: service eafix-gateway selects version=purple',
      `:x: *broken* \`${id}\` failed: Switch traffic: service eafix-gateway selects version=purple`,
    ]);
  });

  it('retries upstream trouble after a backoff on the clock, without a failure reply', async () => {
    let calls = 0;
    const flaky = defineRunKind<unknown>({
      kind: 'flaky',
      steps: [
        step('call', 'Call the API', async () => {
          calls += 1;
          if (calls < 3) throw upstream();
          return { summary: 'answered' };
        }),
      ],
    });
    const { id, stored, replies } = await engine([flaky]).run(flaky, 10_000);
    expect(stored?.steps[0]).toMatchObject({ status: 'succeeded', attempt: 3, summary: 'answered' });
    expect(replies).toEqual([`:white_check_mark: *flaky* \`${id}\` finished.\nanswered`]);
  });

  it('gives up once the retry budget has passed on the clock, however few the attempts', async () => {
    const down = defineRunKind<unknown>({
      kind: 'down',
      steps: [
        step('call', 'Call the API', async () => {
          throw upstream();
        }),
      ],
    });
    // Two tries are always allowed; after that only while the first failure is under a minute old.
    const { stored, replies } = await engine([down], { attempts: 2, budgetMs: 60_000 }).run(down, 61_000);
    expect(stored?.steps[0]).toMatchObject({ status: 'failed', attempt: 2 });
    expect(replies[0]).toBe(':x: Step 1 *Call the API* failed: the API server did not answer');
  });

  it('fails a step that outlives its timeout on the clock', async () => {
    const stuck = defineRunKind<unknown>({
      kind: 'stuck',
      steps: [step('wait', 'Wait for pods', () => new Promise(() => undefined), { timeoutMs: 5_000 })],
    });
    const { stored } = await engine([stuck]).run(stuck, 5_000);
    expect(stored?.steps[0]).toMatchObject({ status: 'failed', error: 'Wait for pods did not finish within 5 s' });
    expect(stored?.status).toBe('failed');
  });

  it('renders step progress behind the run, coalesced, and writes the final state last', async () => {
    const clock = new ManualClock();
    const outbox = new MemorySlackOutbox(clock.now);
    const store = new MemoryRunStore({ now: clock.now });
    const kind = defineRunKind<unknown>({ kind: 'gated', steps: [step('a', 'Step A', async () => undefined)] });
    const { run } = await store.createRun(kind, {
      input: {},
      requestId: 'req_2',
      requestedBy: 'U0ALICE',
      teamId: 'T1',
      thread,
    });
    // A store slow to answer: each read of the run for the status message waits until the test lets it go.
    const held: Array<() => void> = [];
    let reads = 0;
    const slow = {
      getRun: async (id: string) => {
        reads += 1;
        await new Promise<void>((resolve) => held.push(resolve));
        return store.getRun(id);
      },
    };
    const progress = new ThreadProgress({ store: slow, outbox, logger });
    const base = { runId: run.id, stepIndex: 0, stepId: 'a', title: 'Step A' };
    await store.startRun(run.id, 'w1');
    await store.stepStarted(run.id, 0, 'w1');
    // Returns while its render still waits on the store: the run's next step is not held up.
    await progress.onEvent({ type: 'step-started', ...base, attempt: 1 });
    await store.stepSucceeded(run.id, 0, { summary: 'done a' });
    await progress.onEvent({ type: 'step-finished', ...base, durationMs: 0, summary: 'done a' });
    expect(reads).toBe(1);
    expect(await outbox.get(runStatusKey(run.id))).toBeUndefined();

    await store.finishRun(run.id, { status: 'succeeded', summary: 'done a' });
    let ended = false;
    const ending = progress
      .onEvent({ type: 'run-finished', runId: run.id, status: 'succeeded' })
      .then(() => (ended = true));
    while (!ended) {
      await turn();
      held.shift()?.();
    }
    await ending;
    // The first render, one more for the events that arrived while it ran, and the final one after both.
    expect(reads).toBe(3);
    expect((await outbox.get(runStatusKey(run.id)))?.payload.text).toBe(`gated ${run.id}: succeeded (1/1 steps done)`);
  });
});
