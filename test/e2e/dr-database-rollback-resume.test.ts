import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';
import { kill, startWorkerProcess } from '../support/worker-process.ts';

const ops = 'eafix-ops';
const ns = 'eafix-production';
/** Velero takes this long in simulated time: nothing finishes until the test advances the clock. */
const VELERO_MS = 30 * 60_000;
let world: TestWorld;
const children: ChildProcess[] = [];
const bots: RunningBot[] = [];

beforeAll(async () => {
  world = await startWorld('dr_db_rollback_resume', {
    role: 'web',
    clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10, veleroRunMs: VELERO_MS },
  });
});
afterAll(async () => {
  for (const child of children) await kill(child);
  for (const bot of bots) await bot.stop();
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

    const first = await startWorkerProcess(world);
    children.push(first);
    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'rollback database --backup eafix-backup-e2e-resume --reason "orders table corrupted"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
      description: 'approval requested',
    });
    const message = await approvalMessageIn(world, ops);
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    const approvalId = requestIdOf(message);
    const runId = await eventually(
      async () =>
        (await world.bot.pool.query(`SELECT id FROM runs WHERE approval_id = $1`, [approvalId])).rows[0]?.id as
          string | undefined,
      'the run',
    );
    // Mid-restore: the Restore exists and Velero is working on it.
    await eventually(async () => restorePosts().length === 1, 'the Restore to be created', 60_000);
    const restoreName = (restorePosts()[0]?.body as { metadata: { name: string } }).metadata.name;
    await eventually(async () => (await phaseOf('restore', restoreName)) === 'InProgress', 'the restore to run');
    await kill(first);

    const second = await startBot({
      env: world.env,
      policy: world.policy,
      logger: createLogger({ level: 'silent' }),
      role: 'worker',
      host: '127.0.0.1',
      kubeConfig: world.cluster.kubeConfig(),
      jobs: { lockDurationMs: 1_000, stalledIntervalMs: 500 },
    });
    bots.push(second);
    await eventually(
      async () =>
        (await world.bot.pool.query(`SELECT resumed_count FROM runs WHERE id = $1`, [runId])).rows[0]?.resumed_count >=
        1,
      'the run to be resumed',
      120_000,
    );
    world.cluster.advance(VELERO_MS);
    const row = await eventually(
      async () => {
        const r = (await world.bot.pool.query(`SELECT status, error, resumed_count FROM runs WHERE id = $1`, [runId]))
          .rows[0] as { status: string; error: string | null; resumed_count: number };
        return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      },
      'the resumed run to finish',
      120_000,
    );
    expect(row).toMatchObject({ status: 'succeeded', error: null, resumed_count: 1 });
    expect(restorePosts()).toHaveLength(1);
    expect(world.cluster.getDeployment(ns, 'eafix-risk-manager')?.spec?.replicas).toBe(3);
  });
});
