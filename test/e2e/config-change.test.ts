/**
 * The runbook's Standard Configuration Change Process end to end: `/eafix config change` shows the
 * ConfigMap diff, a second person approves, the run validates, applies to staging and tests there,
 * keeps the previous version, applies to production with the change id annotated, verifies and restarts;
 * `config history` lists the change and `config revert` restores the kept version. A failing
 * validation stops the run before staging is touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';

const ops = 'eafix-ops';
const prod = 'eafix-production';
const staging = 'eafix-staging';
const live = 'eafix-risk-manager-config';
const before = { 'limits.yaml': 'max_position: 100\nmax_order: 10\nvenue: lmax\n' };
const after = { 'limits.yaml': 'max_position: 150\nmax_order: 10\nvenue: lmax\n' };
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('config-change', { clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 } });
});
afterAll(async () => {
  await world?.stop();
});

async function finishedRun(approvalId: string) {
  return eventually(
    async () => {
      const { rows } = await world.bot.pool.query<{ status: string; error: string | null }>(
        `SELECT status, error FROM runs WHERE approval_id = $1`,
        [approvalId],
      );
      const run = rows[0];
      return run && ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
    },
    'the run to finish',
    60_000,
  );
}

/** Commands the toolbox Jobs ran, in order, with their namespace. */
const jobCommands = () =>
  world.cluster.writes
    .filter((w) => w.method === 'POST' && w.path.endsWith('/jobs'))
    .map((w) => {
      const body = w.body as {
        metadata: { namespace?: string };
        spec: { template: { spec: { containers: { command: string[] }[] } } };
      };
      return `${w.path.split('/')[5]}: ${body.spec.template.spec.containers[0]?.command.join(' ')}`;
    });

const configWrites = (namespace: string) =>
  world.cluster.writes.filter((w) => w.path.includes(`/namespaces/${namespace}/configmaps`));

async function requestAndApprove(requester: string, approver: string, text: string) {
  const since = world.slack.messages(ops).at(-1)?.ts ?? '0';
  await world.driver.command({ user: requester, channel: ops, text });
  const message = await approvalMessageIn(world, ops, since);
  const plan = textOf(message.blocks);
  await world.driver.clickButton({ user: approver, channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
  const id = requestIdOf(message);
  return { id, plan, run: await finishedRun(id) };
}

describe('/eafix config change, history and revert', () => {
  it('shows the diff, passes staging, is approved by a second person, applied, verified and restarted; revert restores the previous version', async () => {
    world.cluster.putConfigMap(prod, live, before);
    world.cluster.putConfigMap(prod, 'risk-manager-config-next', after);
    const writesBefore = world.cluster.writes.length;

    const change = await requestAndApprove(
      'alice',
      'bob',
      'config change risk-manager --from-configmap=risk-manager-config-next --reason "raise position limits"',
    );
    expect(change.plan).toContain(`configmap ${live} ← risk-manager-config-next, 1 key(s) changed`);
    expect(change.plan).toContain('- max_position: 100');
    expect(change.plan).toContain('+ max_position: 150');
    expect(change.run).toEqual({ status: 'succeeded', error: null });

    const changeId = change.id.replace('_', '-');
    expect(world.cluster.getConfigMap(staging, live)?.data).toEqual(after);
    const applied = world.cluster.getConfigMap(prod, live);
    expect(applied?.data).toEqual(after);
    expect(applied?.metadata.annotations).toMatchObject({
      'eafix.io/change-id': changeId,
      'eafix.io/approval-id': change.id,
      'eafix.io/changed-by': 'U0ALICE',
    });
    const kept = world.cluster.getConfigMap(prod, `${live}-before-${changeId}`);
    expect(kept).toMatchObject({ data: before, immutable: true });
    expect(kept?.metadata.labels).toMatchObject({
      'eafix.io/config-of': 'risk-manager',
      'eafix.io/change-id': changeId,
    });
    expect(jobCommands()).toEqual([
      `${prod}: eafix-cli config validate --service=risk-manager --configmap=risk-manager-config-next`,
      `${staging}: eafix-cli test config --namespace=${staging}`,
      `${prod}: eafix-cli config verify --service=risk-manager`,
    ]);
    // Staging was written before its tests ran, production only after them.
    const order = world.cluster.writes.slice(writesBefore).map((w) => w.path);
    const firstProdWrite = order.findIndex((p) => p.includes(`/namespaces/${prod}/configmaps`));
    const stagingTest = order.findIndex((p) => p.includes(`/namespaces/${staging}/jobs`));
    expect(order.findIndex((p) => p.includes(`/namespaces/${staging}/configmaps`))).toBeLessThan(stagingTest);
    expect(stagingTest).toBeLessThan(firstProdWrite);
    const template = world.cluster.getDeployment(prod, 'eafix-risk-manager')?.spec?.template?.metadata?.annotations;
    expect(template?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();

    const seen = world.slack.ephemerals('alice').length;
    await world.driver.command({ user: 'alice', channel: ops, text: 'config history risk-manager' });
    const history = await world.slack.waitFor(
      () => {
        const text = ephemeralText(world, 'alice', seen);
        return text.includes('Configuration of risk-manager') ? text : undefined;
      },
      { description: 'the history reply' },
    );
    expect(history).toContain(`last change \`${changeId}\``);
    expect(history).toContain(`previous version kept as \`${live}-before-${changeId}\``);

    const revert = await requestAndApprove(
      'bob',
      'alice',
      `config revert risk-manager ${change.id} --reason "orders rejected at the new limits"`,
    );
    expect(revert.plan).toContain('- max_position: 150');
    expect(revert.plan).toContain('+ max_position: 100');
    expect(revert.run).toEqual({ status: 'succeeded', error: null });
    expect(world.cluster.getConfigMap(prod, live)?.data).toEqual(before);
    expect(world.cluster.getConfigMap(prod, live)?.metadata.annotations?.['eafix.io/change-id']).toBe(
      revert.id.replace('_', '-'),
    );
    // The reverted-from version is kept too, so the revert can itself be undone.
    expect(world.cluster.getConfigMap(prod, `${live}-before-${revert.id.replace('_', '-')}`)?.data).toEqual(after);
  });

  it('a failing validation stops the run before staging is touched', async () => {
    world.cluster.putConfigMap(prod, 'market-data-config-bad', { 'feeds.yaml': 'feeds: [' });
    world.cluster.workloads.behaviours.register({
      argv: ['eafix-cli', 'config', 'validate'],
      behaviour: { stderr: ['feeds.yaml: line 1: unexpected end of flow sequence'], exitCode: 2 },
      times: 1,
    });
    const stagingWrites = configWrites(staging).length;
    const jobs = jobCommands().length;
    const change = await requestAndApprove(
      'alice',
      'bob',
      'config change market-data --from-configmap=market-data-config-bad --reason "add a feed"',
    );
    expect(change.run.status).toBe('failed');
    expect(change.run.error).toContain('eafix-cli config validate --service=market-data');
    expect(configWrites(staging).length).toBe(stagingWrites);
    expect(world.cluster.getConfigMap(staging, 'eafix-market-data-config')).toBeUndefined();
    expect(world.cluster.getConfigMap(prod, 'eafix-market-data-config')).toBeUndefined();
    expect(jobCommands().slice(jobs)).toEqual([
      `${prod}: eafix-cli config validate --service=market-data --configmap=market-data-config-bad`,
    ]);
  });
});
