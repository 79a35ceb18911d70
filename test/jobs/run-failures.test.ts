import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import { isRetryable, mayRetry } from '../../src/jobs/retry-policy.ts';
import { isolate } from '../support/isolation.ts';
import { request, startEngine } from './jobs-support.ts';
import type { Engine } from './jobs-support.ts';

const isolation = isolate('jobs_failures');
let engine: Engine;

interface Deps {
  calls: Map<string, number>;
}
const deps: Deps = { calls: new Map() };
const count = (key: string): number => {
  const n = (deps.calls.get(key) ?? 0) + 1;
  deps.calls.set(key, n);
  return n;
};

const flaky = defineRunKind<Deps>({
  kind: 'flaky',
  steps: [
    {
      id: 'call-upstream',
      title: 'Call the flaky upstream',
      run: async (ctx) => {
        const n = count(`${ctx.runId}:upstream`);
        if (n === 1) throw new AppError('upstream_down', 'the cluster API is unavailable', { kind: 'upstream' });
        if (n === 2) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
        return { summary: `answered on call ${n}`, output: { attempt: ctx.attempt } };
      },
    },
  ],
});

const domainFailure = defineRunKind<Deps>({
  kind: 'domain-failure',
  steps: [
    {
      id: 'check',
      title: 'Check the deployment',
      run: async (ctx) => {
        count(`${ctx.runId}:check`);
        throw new AppError('not_found', 'deployment eafix-blue not found');
      },
    },
    {
      id: 'never',
      title: 'Never reached',
      run: async (ctx) => {
        count(`${ctx.runId}:never`);
      },
    },
  ],
});

const alwaysDown = defineRunKind<Deps>({
  kind: 'always-down',
  steps: [
    {
      id: 'call',
      title: 'Call a dead upstream',
      run: async (ctx) => {
        count(`${ctx.runId}:call`);
        throw Object.assign(new Error('bad gateway'), { status: 502 });
      },
    },
  ],
});

const bug = defineRunKind<Deps>({
  kind: 'bug',
  steps: [
    {
      id: 'oops',
      title: 'Buggy step',
      run: async (ctx) => {
        count(`${ctx.runId}:oops`);
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      },
    },
  ],
});

const slow = defineRunKind<Deps>({
  kind: 'slow',
  steps: [
    {
      id: 'wait-forever',
      title: 'Wait for rollout',
      timeoutMs: 150,
      run: (ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
        ),
    },
    {
      id: 'after',
      title: 'After',
      run: async (ctx) => {
        count(`${ctx.runId}:after`);
      },
    },
  ],
});

beforeAll(async () => {
  engine = await startEngine(isolation);
  await engine.startWorker({
    kinds: [flaky, domainFailure, alwaysDown, bug, slow],
    deps,
    retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100, budgetMs: 0 },
  });
});
afterAll(async () => {
  await engine.stop();
  await isolation.cleanup();
});

describe('step failures', () => {
  it('retries upstream errors with backoff until the step succeeds', async () => {
    const { run } = await engine.queue.submit(flaky, request({ input: {} }));
    await engine.observer.finished(run.id);
    const stored = await engine.store.getRun(run.id);
    expect(stored?.status).toBe('succeeded');
    expect(stored?.steps[0]).toMatchObject({
      status: 'succeeded',
      attempt: 3,
      summary: 'answered on call 3',
      output: { attempt: 3 },
    });
    expect(stored?.steps[0]?.error).toBeUndefined();
    const failures = engine.observer.of(run.id).filter((e) => e.type === 'step-failed');
    expect(failures).toEqual([
      expect.objectContaining({ attempt: 1, willRetry: true, reason: 'the cluster API is unavailable' }),
      expect.objectContaining({ attempt: 2, willRetry: true, reason: 'upstream unreachable (ECONNREFUSED)' }),
    ]);
  });

  it('fails at once on a domain error, with its reason, and skips the rest', async () => {
    const { run } = await engine.queue.submit(domainFailure, request({ input: {} }));
    const finished = await engine.observer.finished(run.id);
    expect(finished).toMatchObject({
      status: 'failed',
      error: 'Check the deployment: deployment eafix-blue not found',
    });
    const stored = await engine.store.getRun(run.id);
    expect(stored?.steps.map((s) => [s.status, s.attempt, s.error])).toEqual([
      ['failed', 1, 'deployment eafix-blue not found'],
      ['skipped', 0, undefined],
    ]);
    expect(deps.calls.get(`${run.id}:check`)).toBe(1);
    expect(deps.calls.get(`${run.id}:never`)).toBeUndefined();
    expect(engine.observer.of(run.id).filter((e) => e.type === 'step-failed')).toEqual([
      expect.objectContaining({ willRetry: false, reason: 'deployment eafix-blue not found' }),
    ]);
  });

  it('gives up on an upstream error after the configured attempts', async () => {
    const { run } = await engine.queue.submit(alwaysDown, request({ input: {} }));
    const finished = await engine.observer.finished(run.id);
    expect(finished).toMatchObject({ status: 'failed', error: 'Call a dead upstream: upstream answered HTTP 502' });
    expect(deps.calls.get(`${run.id}:call`)).toBe(3);
    expect((await engine.store.getRun(run.id))?.steps[0]).toMatchObject({ status: 'failed', attempt: 3 });
  });

  it('never retries a bug, and shows a reference instead of its message', async () => {
    const { run } = await engine.queue.submit(bug, request({ input: {} }));
    const finished = await engine.observer.finished(run.id);
    expect(finished).toMatchObject({ status: 'failed' });
    expect((finished as { error: string }).error).toMatch(/^Buggy step: something went wrong \(ref [0-9a-f]{6}\)$/);
    expect(deps.calls.get(`${run.id}:oops`)).toBe(1);
  });

  it('fails a step that exceeds its timeout', async () => {
    const { run } = await engine.queue.submit(slow, request({ input: {} }));
    const finished = await engine.observer.finished(run.id);
    expect(finished).toMatchObject({
      status: 'failed',
      error: 'Wait for rollout: Wait for rollout did not finish within 150 ms',
    });
    const stored = await engine.store.getRun(run.id);
    expect(stored?.steps.map((s) => s.status)).toEqual(['failed', 'skipped']);
    expect(deps.calls.get(`${run.id}:after`)).toBeUndefined();
  });
});

describe('isRetryable', () => {
  it('retries upstream trouble only', () => {
    expect(isRetryable(new AppError('x', 'x', { kind: 'upstream' }))).toBe(true);
    expect(isRetryable(new AppError('x', 'x'))).toBe(false);
    expect(isRetryable(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe(true);
    expect(
      isRetryable(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })),
    ).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { statusCode: 429 }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { code: 503 }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { code: 404 }))).toBe(false);
    expect(isRetryable(Object.assign(new Error('x'), { response: { status: 400 } }))).toBe(false);
    expect(isRetryable(new Error('plain'))).toBe(false);
  });
});

describe('mayRetry', () => {
  const policy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 10_000, budgetMs: 120_000 };
  it('grants the configured attempts, then retries until the budget since the first failure is spent', () => {
    expect(mayRetry(policy, 3, 1_000, 1_000)).toBe(true);
    expect(mayRetry(policy, 9, 1_000, 1_000 + 119_999)).toBe(true);
    expect(mayRetry(policy, 9, 1_000, 1_000 + 120_000)).toBe(false);
    expect(mayRetry({ ...policy, budgetMs: 0 }, 4, 1_000, 1_000)).toBe(false);
  });
});
