import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import { RunCanceller } from '../../src/jobs/run-cancellation.ts';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import { targetHolder } from '../../src/store/target-lock.ts';
import { isolate } from '../support/isolation.ts';
import { request, startEngine } from './jobs-support.ts';
import type { Engine } from './jobs-support.ts';

const isolation = isolate('jobs_target');
let engine: Engine;

/** Runs whose input says `hold` wait in their first step until the test opens their gate. */
class Gates {
  private readonly gates = new Map<string, { promise: Promise<void>; open: () => void }>();
  private gate(runId: string) {
    let gate = this.gates.get(runId);
    if (!gate) {
      let open = (): void => undefined;
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
      this.gates.set(runId, gate);
    }
    return gate;
  }
  wait(runId: string): Promise<void> {
    return this.gate(runId).promise;
  }
  open(runId: string): void {
    this.gate(runId).open();
  }
}

interface Deps {
  gates: Gates;
}
const deps: Deps = { gates: new Gates() };
const input = (environment: string, hold = false) => ({ environment, hold });
const targetOf = (value: unknown) => `env:${(value as { environment: string }).environment}`;

const steps = [
  {
    id: 'change',
    title: 'Change',
    run: async (ctx: { runId: string; input: unknown; deps: Deps }) => {
      if ((ctx.input as { hold: boolean }).hold) await ctx.deps.gates.wait(ctx.runId);
    },
  },
  { id: 'verify', title: 'Verify', run: async () => undefined },
];
const refusing = defineRunKind<Deps>({ kind: 'refusing-change', target: targetOf, onBusy: 'refuse', steps });
const queueing = defineRunKind<Deps>({ kind: 'queueing-change', target: targetOf, onBusy: 'queue', steps });
const readOnly = defineRunKind<Deps>({ kind: 'status', steps });

beforeAll(async () => {
  engine = await startEngine(isolation);
  // Two workers with room for several jobs each: only the target lock keeps runs apart.
  await engine.startWorker({ kinds: [refusing, queueing, readOnly], deps, workerId: 'w1' });
  await engine.startWorker({ kinds: [refusing, queueing, readOnly], deps, workerId: 'w2' });
});
afterAll(async () => {
  await engine.stop();
  await isolation.cleanup();
});

async function intervalsOf(runIds: string[]): Promise<Array<{ run: string; start: number; end: number }>> {
  const result = await engine.pool.query<{ run_id: string; start: Date; end: Date }>(
    `SELECT run_id, min(started_at) AS start, max(finished_at) AS end FROM run_steps WHERE run_id = ANY($1) GROUP BY run_id ORDER BY start`,
    [runIds],
  );
  return result.rows.map((r) => ({ run: r.run_id, start: r.start.getTime(), end: r.end.getTime() }));
}

describe('one change per target', () => {
  it('accepts exactly one of concurrent refusing runs for the same target', async () => {
    // The winner holds its target until every submission is answered: one that finished first would free
    // the target for a submission still on its way (a busy machine), which is then rightly accepted.
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, () => engine.queue.submit(refusing, request({ input: input('production', true) }))),
    );
    const accepted = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    const refused = attempts.flatMap((a) => (a.status === 'rejected' ? [a.reason as unknown] : []));
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(5);
    const winner = accepted[0]!.run.id;
    for (const error of refused) {
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'target_busy', kind: 'domain' });
      expect((error as AppError).userMessage).toContain(winner);
    }
    deps.gates.open(winner);
    await engine.observer.finished(winner);
    const rows = await engine.pool.query(`SELECT id FROM runs WHERE target = 'env:production'`);
    expect(rows.rows.map((r) => r.id)).toEqual([winner]);
    expect(await targetHolder(engine.pool, 'env:production')).toBeUndefined();
  });

  it('queues runs for a busy target and runs them one after another, never overlapping', async () => {
    const first = await engine.queue.submit(queueing, request({ input: input('staging', true) }));
    await engine.observer.waitFor((e) => e.type === 'step-started' && e.runId === first.run.id);
    const waiting = await Promise.all(
      Array.from({ length: 3 }, () => engine.queue.submit(queueing, request({ input: input('staging') }))),
    );
    for (const w of waiting) expect(w).toMatchObject({ created: true, startable: false, waitingFor: first.run.id });
    expect(engine.observer.events).toContainEqual({
      type: 'queued',
      runId: waiting[0]!.run.id,
      waitingFor: first.run.id,
    });
    // A refusing run names the holder, and a read-only run is not held up by any of them.
    await expect(engine.queue.submit(refusing, request({ input: input('staging') }))).rejects.toThrow(first.run.id);
    const status = await engine.queue.submit(readOnly, request({ input: input('staging') }));
    await engine.observer.finished(status.run.id);
    for (const w of waiting) expect((await engine.store.getRun(w.run.id))?.status).toBe('queued');

    deps.gates.open(first.run.id);
    // Waiting runs start in the order they were created (they were submitted concurrently; created_at
    // has microseconds, JavaScript dates do not, so ask Postgres for the order).
    const inLine = await engine.pool.query<{ id: string }>(
      'SELECT id FROM runs WHERE id = ANY($1) ORDER BY created_at, id',
      [waiting.map((w) => w.run.id)],
    );
    const all = [first.run.id, ...inLine.rows.map((r) => r.id)];
    for (const id of all) expect(await engine.observer.finished(id)).toMatchObject({ status: 'succeeded' });

    const intervals = await intervalsOf(all);
    expect(intervals.map((i) => i.run)).toEqual(all);
    for (let i = 1; i < intervals.length; i += 1)
      expect(intervals[i]!.start).toBeGreaterThanOrEqual(intervals[i - 1]!.end);
    expect(await targetHolder(engine.pool, 'env:staging')).toBeUndefined();
  });

  it('closes a cancelled waiting run without running it and hands the target on', async () => {
    const canceller = new RunCanceller({
      store: engine.store,
      redis: engine.redis,
      prefix: isolation.redisPrefix,
      queue: engine.queue,
      logger: engine.logger,
    });
    const first = await engine.queue.submit(queueing, request({ input: input('dr', true) }));
    await engine.observer.waitFor((e) => e.type === 'step-started' && e.runId === first.run.id);
    const second = await engine.queue.submit(queueing, request({ input: input('dr') }));
    const third = await engine.queue.submit(queueing, request({ input: input('dr') }));

    expect(await canceller.requestCancel(second.run.id, 'U0BOB')).toMatchObject({ accepted: true });
    expect(await engine.observer.finished(second.run.id)).toMatchObject({ status: 'cancelled' });
    expect(await targetHolder(engine.pool, 'env:dr')).toBe(first.run.id);

    deps.gates.open(first.run.id);
    expect(await engine.observer.finished(third.run.id)).toMatchObject({ status: 'succeeded' });
    const cancelled = await engine.store.getRun(second.run.id);
    expect(cancelled?.steps.map((s) => [s.status, s.attempt])).toEqual([
      ['skipped', 0],
      ['skipped', 0],
    ]);
    expect(cancelled?.startedAt).toBeUndefined();
  });
});
