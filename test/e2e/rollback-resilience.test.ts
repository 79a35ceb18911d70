import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvedRun } from '../support/approvals.ts';
import { runEnded, runStep } from '../support/runs.ts';
import { workerHandover } from '../support/worker-handover.ts';
import { kill } from '../support/worker-process.ts';

const ops = 'eafix-ops';
let world: TestWorld;
const workers = workerHandover(() => world);

beforeAll(async () => {
  // Web only: runs execute in worker processes the tests start and kill. Blue pods are slow to get
  // Ready, so a rollback spends seconds waiting for blue to be ready.
  world = await startWorld('rollback_resilience', {
    role: 'web',
    clusterTiming: { podStartMs: 50, podReadyMs: 2_500, tickMs: 10 },
  });
});
afterAll(async () => {
  await workers.stop();
  await world?.stop();
});

/** dave's rollback of `environment`, approved by bob; resolves once its run exists. */
const approvedRollback = (environment: string) =>
  approvedRun(world, `rollback --environment=${environment} --reason "bad deploy in ${environment}"`, {
    requester: 'dave',
  });
const stepStatus = async (runId: string, stepId: string) => (await runStep(world, runId, stepId))?.status;
const finished = (runId: string) => runEnded(world, runId, 240_000);

// Worker processes are spawned (TypeScript compiled on start): slow on a busy machine, never wrong.
describe('rollback runs survive their workers', { timeout: 300_000 }, () => {
  it('resumes on another worker after a SIGKILL mid-run, without applying any change twice', async () => {
    const first = await workers.startProcess();
    const { message, runId } = await approvedRollback('production');
    await eventually(
      async () => (await stepStatus(runId, 'target-ready')) === 'running',
      'the target-ready step to start',
      20_000,
    );
    await kill(first);

    await workers.startSuccessor();
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
    await workers.startProcess();
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
