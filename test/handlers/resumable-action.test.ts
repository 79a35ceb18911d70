import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolate } from '../support/isolation.ts';
import { request, startEngine, type Engine } from '../jobs/jobs-support.ts';
import { ActionRegistry } from '../../src/handlers/core/registry.ts';
import { executePlanned, runKindOf, runKindsOf } from '../../src/handlers/core/start-run.ts';
import type { ActionDeps } from '../../src/handlers/core/action-deps.ts';
import { JobRuns } from '../../src/jobs/job-runs.ts';
import { RunCanceller } from '../../src/jobs/run-cancellation.ts';
import { PgRunQueries } from '../../src/store/pg-run-queries.ts';
import { MemorySlackOutbox } from '../support/memory-slack-outbox.ts';
import { drain, drained } from './fixtures/drain-action.ts';

const isolation = isolate('resumable_action');
let engine: Engine;
let runs: JobRuns;

beforeAll(async () => {
  engine = await startEngine(isolation);
  runs = new JobRuns(
    engine.queue,
    new RunCanceller({
      store: engine.store,
      redis: engine.redis,
      prefix: isolation.redisPrefix,
      queue: engine.queue,
      logger: engine.logger,
    }),
    new PgRunQueries(engine.pool),
    engine.store,
    new MemorySlackOutbox(),
  );
  // The worker's kinds come from a registry holding only the one-file action.
  await engine.startWorker({ kinds: runKindsOf(new ActionRegistry([drain]).actions), deps: {} });
});
afterAll(async () => {
  await engine?.stop();
  await isolation.cleanup();
});

describe('a resumable action declared in one file', () => {
  it('runs its typed steps on the job engine under its own id, with input re-read by its schema', async () => {
    const input = drain.input.parse({ node: 'n7', reason: 'kernel update' });
    const plan = await drain.plan(input, {} as never);
    const reply = await executePlanned(drain, input, {
      requestId: 'req_drain',
      invoker: { userId: 'U0ALICE', teamId: 'T0EAFIX', channelId: 'C0OPS' },
      logger: engine.logger,
      deps: { runs } as unknown as ActionDeps,
      plan,
      approvalId: 'apr_drain',
      thread: { channel: 'C0OPS', ts: '1700000000.000100' },
    });
    const runId = /Run `(run_[a-z0-9]+)`/.exec(reply.text)?.[1];
    expect(runId).toBeDefined();
    const finished = await engine.observer.finished(runId!);
    expect(finished).toMatchObject({ status: 'succeeded', summary: 'n7 cordoned\nn7 drained in batches of 2' });
    const run = await engine.store.getRun(runId!);
    expect(run).toMatchObject({ kind: 'drain', action: 'drain', target: 'node:n7', approvalId: 'apr_drain' });
    expect(drained).toEqual([
      { step: 'cordon', node: 'n7', batch: 2, approvalId: 'apr_drain' },
      { step: 'evict', node: 'n7', batch: 2 },
    ]);
  });

  it('fails a run whose stored input no longer fits the action schema, naming the action, and runs no step', async () => {
    drained.length = 0;
    const { run } = await engine.queue.submit(
      runKindOf(drain),
      request({ input: { node: 'n8', batch: 'many' }, requestId: 'req_stale' }),
    );
    const finished = await engine.observer.finished(run.id);
    expect(finished).toMatchObject({ status: 'failed', error: expect.stringContaining('no longer fits `drain`') });
    expect(drained).toEqual([]);
  });
});
