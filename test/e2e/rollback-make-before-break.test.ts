import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRetryPolicy } from '../../src/jobs/retry-policy.ts';
import { describeRollbackFailure } from '../../src/handlers/deployment/rollback-state.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';

const ops = 'eafix-ops';
const OUTAGE_MS = 20_000;
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('rollback_mbb', { clusterTiming: { podStartMs: 50, podReadyMs: 500, tickMs: 10 } });
});
afterAll(async () => {
  await world?.stop();
});

/** Ready pods behind whatever colour the gateway selects, read from the simulator's own state. */
function readyBehindGateway(namespace: string): { colour: string; ready: number } {
  const selector = world.cluster.getService(namespace, 'eafix-gateway')?.spec?.selector ?? {};
  const labels = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const ready = world.cluster
    .listPods(namespace, labels)
    .filter(
      (pod) =>
        !pod.metadata?.deletionTimestamp &&
        pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
  return { colour: selector.version ?? 'unknown', ready };
}

/** Checks the invariant on every change the simulator makes; returns the violations seen. */
function watchInvariant(namespace: string): { violations: string[]; stop: () => void } {
  const violations: string[] = [];
  const check = () => {
    const state = readyBehindGateway(namespace);
    if (state.ready === 0) violations.push(`gateway on ${state.colour} with no ready pods`);
  };
  check();
  world.cluster.on('change', check);
  return { violations, stop: () => world.cluster.off('change', check) };
}

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

const step = async (runId: string, stepId: string) =>
  (
    await world.bot.pool.query(`SELECT status, attempt, error FROM run_steps WHERE run_id = $1 AND step_id = $2`, [
      runId,
      stepId,
    ])
  ).rows[0] as { status: string; attempt: number; error: string | null };
const finished = (runId: string, timeoutMs: number) =>
  eventually(
    async () => {
      const row = (await world.bot.pool.query(`SELECT status, error FROM runs WHERE id = $1`, [runId])).rows[0] as {
        status: string;
        error: string | null;
      };
      return ['succeeded', 'failed', 'cancelled'].includes(row.status) ? row : undefined;
    },
    `run ${runId} to finish`,
    timeoutMs,
  );

describe('rollback makes blue ready before it moves traffic', () => {
  it('rides out the API server refusing connections for 20 s, and production always has ready pods', async () => {
    const ns = 'eafix-production';
    const invariant = watchInvariant(ns);
    // Scaling blue is slow to answer, so the outage starts while the step is in flight.
    world.cluster.setLatency(2_000, { pathIncludes: '/deployments/eafix-blue' });
    const { runId } = await approvedRollback('production');
    await eventually(async () => (await step(runId, 'scale-up'))?.status === 'running', 'scale-up to start', 20_000);
    await world.cluster.goDown('refuse');
    world.cluster.setLatency(0, { pathIncludes: '/deployments/eafix-blue' });
    // The outage is observed by the run: a failed attempt is recorded while production stays on green.
    const during = await eventually(
      async () => {
        const s = await step(runId, 'scale-up');
        return s.error ? s : undefined;
      },
      'a failed scale attempt',
      OUTAGE_MS,
    );
    expect(during.error).toMatch(/Kubernetes API .* (dropped the connection|refused|unreachable)/);
    await sleep(OUTAGE_MS); // the length of the outage, not a synchronisation
    expect(readyBehindGateway(ns)).toMatchObject({ colour: 'green' });
    await world.cluster.comeUp();

    const row = await finished(runId, 90_000);
    invariant.stop();
    expect(row).toMatchObject({ status: 'succeeded', error: null });
    // A step far longer than the lock duration kept its lock (renewed by the worker): never taken over.
    expect(
      (await world.bot.pool.query(`SELECT resumed_count FROM runs WHERE id = $1`, [runId])).rows[0]?.resumed_count,
    ).toBe(0);
    // More tries than the attempt count alone allows: the time budget rode out the outage.
    expect((await step(runId, 'scale-up')).attempt).toBeGreaterThan(defaultRetryPolicy.attempts);
    expect(readyBehindGateway(ns)).toEqual({ colour: 'blue', ready: 3 });
    expect(invariant.violations).toEqual([]);
    // The gateway moved once, after blue's pods were ready.
    const switches = world.cluster.writes.filter((w) => w.path.endsWith(`/namespaces/${ns}/services/eafix-gateway`));
    expect(switches).toHaveLength(1);
  }, 150_000);

  it('leaves production on green when blue never gets ready, and says so with the next command', async () => {
    const ns = 'eafix-dr';
    const invariant = watchInvariant(ns);
    world.cluster.injectProgressDeadline(ns, 'eafix-blue');
    const { message, runId } = await approvedRollback('dr');
    await eventually(
      async () => (await step(runId, 'target-ready'))?.status === 'running',
      'target-ready to start',
      20_000,
    );
    world.cluster.advance(15 * 60_000);
    const row = await finished(runId, 40_000);
    invariant.stop();
    world.cluster.clearFailures();
    expect(row.status).toBe('failed');
    expect(row.error).toContain(
      'State of dr:* still served by green with 3 ready endpoint(s); the gateway was not switched.',
    );
    expect(row.error).toContain('`/eafix rollback --environment=dr --reason "…"`');
    expect(world.cluster.getService(ns, 'eafix-gateway')?.spec?.selector?.version).toBe('green');
    expect(invariant.violations).toEqual([]);
    await world.slack.waitFor(
      (emu) => emu.thread(ops, message.ts).some((r) => textOf(r.blocks ?? r.text).includes('still served by green')),
      { description: 'failure reply with the state of dr' },
    );
  }, 60_000);

  it('says from its checkpoints what state production was left in when the cluster cannot be read', async () => {
    await world.cluster.goDown('refuse');
    try {
      const beforeSwitch = await describeRollbackFailure(
        world.bot.deps.cluster,
        { environment: 'production' },
        new Set(['scale-up', 'target-ready']),
        AbortSignal.timeout(10_000),
      );
      expect(beforeSwitch).toContain('I could not read the cluster to confirm');
      expect(beforeSwitch).toContain('the gateway had not been switched: production stays on the colour it was on');
      expect(beforeSwitch).toContain('`/eafix rollback --environment=production --reason "…"`');
      const afterSwitch = await describeRollbackFailure(
        world.bot.deps.cluster,
        { environment: 'production' },
        new Set(['scale-up', 'target-ready', 'switch-traffic']),
        AbortSignal.timeout(10_000),
      );
      expect(afterSwitch).toContain('the gateway had been switched to blue after blue was ready');
      expect(afterSwitch).toContain('`/eafix status --environment=production --verbose` once the cluster answers.');
    } finally {
      await world.cluster.comeUp();
    }
  });
});
