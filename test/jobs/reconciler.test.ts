import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { Reconciler, type ReconcilePass } from '../../src/jobs/reconciler.ts';
import { eventually } from '../support/eventually.ts';

const logger = createLogger({ level: 'silent' });
let reconciler: Reconciler | undefined;
afterEach(async () => {
  await reconciler?.stop();
  reconciler = undefined;
});

/** A pass that counts its runs; `stuck` passes never end (a command a Redis restart never answered). */
function pass(name: string, stuck = false) {
  const counted = { name, runs: 0, run: async () => undefined as unknown };
  counted.run = () => {
    counted.runs += 1;
    return stuck ? new Promise<never>(() => undefined) : Promise.resolve();
  };
  return counted satisfies ReconcilePass;
}

describe('the reconciler', () => {
  it('keeps running every other pass while one is stuck', async () => {
    const stuck = pass('digest schedules', true);
    const timers = pass('incident timers');
    reconciler = new Reconciler({ passes: [stuck, timers], intervalMs: 5, passTimeoutMs: 600_000, logger });
    reconciler.start();
    await eventually(async () => timers.runs >= 3, 'the incident timers pass runs again and again');
    expect(stuck.runs).toBe(1);
    // stop() would wait for the stuck run: stop the schedules and let that run be.
    void reconciler.stop();
    reconciler = undefined;
  });

  it('gives up on a stuck run after its bound and runs the pass again', async () => {
    const stuck = pass('incident timers', true);
    reconciler = new Reconciler({ passes: [stuck], intervalMs: 5, passTimeoutMs: 20, logger });
    reconciler.start();
    await eventually(async () => stuck.runs >= 3, 'the stuck pass tried again');
  });

  it('runs every pass once on demand, side by side', async () => {
    const passes = [pass('runs'), pass('incident timers'), pass('dr schedules')];
    await new Reconciler({ passes, intervalMs: 60_000, logger }).runOnce();
    expect(passes.map((p) => p.runs)).toEqual([1, 1, 1]);
  });
});
