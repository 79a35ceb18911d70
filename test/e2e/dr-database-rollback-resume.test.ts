import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvedRun } from '../support/approvals.ts';
import { runEnded } from '../support/runs.ts';
import { workerHandover } from '../support/worker-handover.ts';
import { kill } from '../support/worker-process.ts';

const ns = 'eafix-production';
/** Velero takes this long in simulated time: nothing finishes until the test advances the clock. */
const VELERO_MS = 30 * 60_000;
let world: TestWorld;
const workers = workerHandover(() => world);

beforeAll(async () => {
  world = await startWorld('dr_db_rollback_resume', {
    role: 'web',
    clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10, veleroRunMs: VELERO_MS },
  });
});
afterAll(async () => {
  await workers.stop();
  await world?.stop();
});

const phaseOf = async (kind: 'backup' | 'restore', name: string) =>
  (kind === 'backup' ? await world.bot.deps.cluster.getBackup(name) : await world.bot.deps.cluster.getRestore(name))
    ?.phase;
const restorePosts = () => world.cluster.writes.filter((w) => w.method === 'POST' && w.path.includes('/restores'));

describe('rollback database survives its worker', { timeout: 300_000 }, () => {
  it('a worker killed mid-restore: another resumes, waits for the same Restore and never creates a second', async () => {
    await world.bot.deps.cluster.createBackup({
      name: 'eafix-backup-e2e-resume',
      includedNamespaces: [ns],
      change: { requestedBy: 'U0ALICE', reason: 'e2e', requestId: 'req-resume-backup' },
    });
    await eventually(async () => (await phaseOf('backup', 'eafix-backup-e2e-resume')) === 'InProgress', 'backup runs');
    world.cluster.advance(VELERO_MS);
    await eventually(async () => (await phaseOf('backup', 'eafix-backup-e2e-resume')) === 'Completed', 'backup done');

    const first = await workers.startProcess();
    const { runId } = await approvedRun(
      world,
      'rollback database --backup eafix-backup-e2e-resume --reason "orders table corrupted"',
      { requester: 'dave' },
    );
    // Mid-restore: the Restore exists and Velero is working on it.
    await eventually(async () => restorePosts().length === 1, 'the Restore to be created', 60_000);
    const restoreName = (restorePosts()[0]?.body as { metadata: { name: string } }).metadata.name;
    await eventually(async () => (await phaseOf('restore', restoreName)) === 'InProgress', 'the restore to run');
    await kill(first);

    await workers.startSuccessor();
    await eventually(
      async () =>
        (await world.bot.pool.query(`SELECT resumed_count FROM runs WHERE id = $1`, [runId])).rows[0]?.resumed_count >=
        1,
      'the run to be resumed',
      120_000,
    );
    world.cluster.advance(VELERO_MS);
    const row = await runEnded(world, runId, 120_000);
    expect(row).toMatchObject({ status: 'succeeded', error: null, resumed_count: 1 });
    expect(restorePosts()).toHaveLength(1);
    expect(world.cluster.getDeployment(ns, 'eafix-risk-manager')?.spec?.replicas).toBe(3);
  });
});
