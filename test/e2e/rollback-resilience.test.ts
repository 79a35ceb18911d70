import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';
import { kill, startWorkerProcess } from '../support/worker-process.ts';

const ops = 'eafix-ops';
let world: TestWorld;
const children: ChildProcess[] = [];
const bots: RunningBot[] = [];

beforeAll(async () => {
  // Web only: runs execute in worker processes the tests start and kill. Blue pods are slow to get
  // Ready, so a rollback spends seconds waiting for blue to be ready.
  world = await startWorld('rollback_resilience', {
    role: 'web',
    clusterTiming: { podStartMs: 50, podReadyMs: 2_500, tickMs: 10 },
  });
});
afterAll(async () => {
  for (const child of children) await kill(child);
  for (const bot of bots) await bot.stop();
  await world?.stop();
});

async function approvedRollback(environment: string) {
  const seen = world.slack.ephemerals('dave').length;
  const after = world.slack.latestMessage(ops)?.ts ?? '0';
  await world.driver.command({
    user: 'dave',
    channel: ops,
    text: `rollback --environment=${environment} --reason "bad deploy in ${environment}"`,
  });
  await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
    description: 'approval requested',
  });
  const message = await approvalMessageIn(world, ops, after);
  const approvalId = requestIdOf(message);
  await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
  const runId = await eventually(
    async () =>
      (await world.bot.pool.query(`SELECT id FROM runs WHERE approval_id = $1`, [approvalId])).rows[0]?.id as
        string | undefined,
    'the run',
  );
  return { message, runId };
}

const stepStatus = async (runId: string, stepId: string) =>
  (await world.bot.pool.query(`SELECT status FROM run_steps WHERE run_id = $1 AND step_id = $2`, [runId, stepId]))
    .rows[0]?.status as string | undefined;
const runRow = async (runId: string) =>
  (await world.bot.pool.query(`SELECT status, error, resumed_count FROM runs WHERE id = $1`, [runId])).rows[0] as {
    status: string;
    error: string | null;
    resumed_count: number;
  };
const finished = (runId: string) =>
  eventually(
    async () => {
      const row = await runRow(runId);
      return ['succeeded', 'failed', 'cancelled'].includes(row.status) ? row : undefined;
    },
    `run ${runId} to finish`,
    240_000,
  );

// Worker processes are spawned (TypeScript compiled on start): slow on a busy machine, never wrong.
describe('rollback runs survive their workers', { timeout: 300_000 }, () => {
  it('resumes on another worker after a SIGKILL mid-run, without applying any change twice', async () => {
    const first = await startWorkerProcess(world);
    children.push(first);
    const { message, runId } = await approvedRollback('production');
    await eventually(
      async () => (await stepStatus(runId, 'target-ready')) === 'running',
      'the target-ready step to start',
      20_000,
    );
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
    const row = await finished(runId);
    expect(row).toMatchObject({ status: 'succeeded', resumed_count: 1 });

    const ns = 'eafix-production';
    const writes = world.cluster.writes.filter((w) => w.path.includes(`/namespaces/${ns}/`));
    expect(writes.filter((w) => w.path.endsWith('/services/eafix-gateway'))).toHaveLength(1);
    // Scale is one patch of the Deployment (replicas and annotations together).
    expect(writes.filter((w) => w.method === 'PATCH' && w.path.endsWith('/deployments/eafix-blue'))).toHaveLength(1);
    expect(world.cluster.getDeployment(ns, 'eafix-blue')?.spec?.replicas).toBe(3);
    await world.slack.waitFor(
      (emu) => emu.thread(ops, message.ts).some((r) => /resumed/i.test(textOf(r.blocks ?? r.text))),
      { description: 'resumed milestone' },
    );
  }, 240_000); // two bot processes start and one is killed: slow on a busy machine

  it('stops at a failed step and says why in the thread', async () => {
    const ns = 'eafix-dr';
    world.cluster.injectProgressDeadline(ns, 'eafix-blue');
    const { message, runId } = await approvedRollback('dr');
    await eventually(
      async () => (await stepStatus(runId, 'target-ready')) === 'running',
      'the target-ready step to start',
      20_000,
    );
    world.cluster.advance(15 * 60_000);
    const row = await finished(runId);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/rollout of blue in dr failed: .*timed out progressing/);
    expect(await stepStatus(runId, 'incident')).toBe('skipped');
    await world.slack.waitFor(
      (emu) =>
        emu
          .thread(ops, message.ts)
          .some(
            (r) =>
              /timed out progressing/.test(textOf(r.blocks ?? r.text)) &&
              /why blue is not ready/i.test(textOf(r.blocks ?? r.text)),
          ),
      { description: 'failure reply with reason' },
    );
    world.cluster.clearFailures();
  });

  it('cancels from Slack a run executing in another process', async () => {
    const worker = await startWorkerProcess(world);
    children.push(worker);
    const { runId } = await approvedRollback('staging');
    await eventually(
      async () => (await stepStatus(runId, 'target-ready')) === 'running',
      'the target-ready step to start',
      20_000,
    );
    await world.driver.command({ user: 'alice', channel: ops, text: `cancel ${runId}` });
    const row = await finished(runId);
    expect(row.status).toBe('cancelled');
    expect(await stepStatus(runId, 'target-ready')).toBe('cancelled');
    expect(await stepStatus(runId, 'incident')).toBe('skipped');
  }, 240_000);
});
