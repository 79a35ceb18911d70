/**
 * The runbook's Standard Configuration Change Process end to end. `/eafix config change` runs the
 * staging half as one run without a second person (staging is the runbook's test step): the ConfigMap
 * diff, `config validate`, apply to staging, `test config --namespace=staging`; then it asks for a
 * separate two-person approval of production (the change request, showing the diff and the staging
 * results), which the requester cannot give. Once approved: keep the previous version, apply with the
 * change id, `config verify`, restart. `config history` lists it and `config revert` restores the kept
 * version. A failure in staging never touches production nor asks for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, approvalStatus, ephemeralText, requestIdOf } from '../support/approvals.ts';

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

interface FinishedRun {
  id: string;
  status: string;
  error: string | null;
}

/** The newest run of `action` (after the ones seen), once it has ended. */
async function finishedRun(where: { approvalId: string } | { action: string; after: number }): Promise<FinishedRun> {
  return eventually(
    async () => {
      const { rows } =
        'approvalId' in where
          ? await world.bot.pool.query<FinishedRun>(`SELECT id, status, error FROM runs WHERE approval_id = $1`, [
              where.approvalId,
            ])
          : await world.bot.pool.query<FinishedRun>(
              `SELECT id, status, error FROM runs WHERE action = $1 ORDER BY created_at OFFSET $2`,
              [where.action, where.after],
            );
      const run = rows[0];
      return run && ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
    },
    'the run to finish',
    60_000,
  );
}

const runCount = async (action: string) =>
  (await world.bot.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs WHERE action = $1`, [action])).rows[0]
    ?.n ?? 0;

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

/** Runs the staging half as `requester`; returns the finished staging run and its status message. */
async function stageChange(requester: string, text: string) {
  const seen = await runCount('config change');
  await world.driver.command({ user: requester, channel: ops, text });
  const run = await finishedRun({ action: 'config change', after: seen });
  const status = await world.slack.waitFor(
    (emu) =>
      emu
        .messages(ops)
        .concat(emu.messages(ops).flatMap((m) => emu.thread(ops, m.ts)))
        .find((m) => JSON.stringify(m.blocks ?? []).includes(run.id) && textOf(m.blocks).includes(run.status)),
    { description: `the status message of ${run.id}` },
  );
  return { run, status: textOf(status.blocks) };
}

async function approve(approver: string, message: { ts: string }) {
  await world.driver.clickButton({ user: approver, channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
}

async function requestAndApprove(requester: string, approver: string, text: string) {
  const since = world.slack.messages(ops).at(-1)?.ts ?? '0';
  await world.driver.command({ user: requester, channel: ops, text });
  const message = await approvalMessageIn(world, ops, since);
  const plan = textOf(message.blocks);
  await approve(approver, message);
  const id = requestIdOf(message);
  return { id, plan, run: await finishedRun({ approvalId: id }) };
}

describe('/eafix config change, promote, history and revert', () => {
  it('shows the diff and passes staging without a second person, then asks for production separately; the requester cannot approve it, a second person does; applied, verified, restarted; revert restores the previous version', async () => {
    world.cluster.putConfigMap(prod, live, before);
    world.cluster.putConfigMap(prod, 'risk-manager-config-next', after);
    const writesBefore = world.cluster.writes.length;
    const since = world.slack.messages(ops).at(-1)?.ts ?? '0';

    const staged = await stageChange(
      'alice',
      'config change risk-manager --from-configmap=risk-manager-config-next --reason "raise position limits"',
    );
    expect(staged.run).toMatchObject({ status: 'succeeded', error: null });
    expect(staged.status).toContain(`${live} ← risk-manager-config-next, 1 key(s) changed`);
    expect(staged.status).toContain('- max_position: 100');
    expect(staged.status).toContain('+ max_position: 150');
    expect(world.cluster.getConfigMap(staging, live)?.data).toEqual(after);
    // Staging passed; production is untouched until a second person approves it.
    expect(world.cluster.getConfigMap(prod, live)?.data).toEqual(before);
    expect(configWrites(prod).filter((w) => w.path.includes(live))).toEqual([]);

    const message = await approvalMessageIn(world, ops, since);
    const id = requestIdOf(message);
    const plan = textOf(message.blocks);
    expect(plan).toContain('config promote');
    expect(plan).toContain(`configmap ${live} in production ← risk-manager-config-next, 1 key(s) changed`);
    expect(plan).toContain('+ max_position: 150');
    expect(plan).toContain(`staging passed (run ${staged.run.id})`);
    expect(plan).toContain('9 passed, 0 failed');
    expect(staged.status).toContain(`change request \`${id}\``);

    // The requester cannot approve production herself.
    const seen = world.slack.ephemerals('alice').length;
    await approve('alice', message);
    await world.slack.waitFor(() => ephemeralText(world, 'alice', seen).includes('cannot approve your own request'), {
      description: 'the self-approval refusal',
    });
    expect(await approvalStatus(world, id)).toBe('pending');
    expect(world.cluster.getConfigMap(prod, live)?.data).toEqual(before);

    await approve('bob', message);
    const production = await finishedRun({ approvalId: id });
    expect(production).toMatchObject({ status: 'succeeded', error: null });

    const changeId = id.replace('_', '-');
    const applied = world.cluster.getConfigMap(prod, live);
    expect(applied?.data).toEqual(after);
    expect(applied?.metadata.annotations).toMatchObject({
      'eafix.io/change-id': changeId,
      'eafix.io/approval-id': id,
      'eafix.io/changed-by': 'U0ALICE',
      'eafix.io/config-staging-run': staged.run.id,
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

    const seenHistory = world.slack.ephemerals('alice').length;
    await world.driver.command({ user: 'alice', channel: ops, text: 'config history risk-manager' });
    const history = await world.slack.waitFor(
      () => {
        const text = ephemeralText(world, 'alice', seenHistory);
        return text.includes('Configuration of risk-manager') ? text : undefined;
      },
      { description: 'the history reply' },
    );
    expect(history).toContain(`last change \`${changeId}\``);
    expect(history).toContain(`previous version kept as \`${live}-before-${changeId}\``);

    const revert = await requestAndApprove(
      'bob',
      'alice',
      `config revert risk-manager ${id} --reason "orders rejected at the new limits"`,
    );
    expect(revert.plan).toContain('- max_position: 150');
    expect(revert.plan).toContain('+ max_position: 100');
    expect(revert.run).toMatchObject({ status: 'succeeded', error: null });
    expect(world.cluster.getConfigMap(prod, live)?.data).toEqual(before);
    expect(world.cluster.getConfigMap(prod, live)?.metadata.annotations?.['eafix.io/change-id']).toBe(
      revert.id.replace('_', '-'),
    );
    // The reverted-from version is kept too, so the revert can itself be undone.
    expect(world.cluster.getConfigMap(prod, `${live}-before-${revert.id.replace('_', '-')}`)?.data).toEqual(after);
  });

  it('a failing staging test stops the change: production is never touched nor asked for, and the run says so', async () => {
    const liveFeeds = 'eafix-market-data-config';
    world.cluster.putConfigMap(prod, liveFeeds, { 'feeds.yaml': 'feeds: [reuters]\n' });
    world.cluster.putConfigMap(prod, 'market-data-config-next', { 'feeds.yaml': 'feeds: [reuters, bloomberg]\n' });
    world.cluster.workloads.behaviours.register({
      argv: ['eafix-cli', 'test', 'config'],
      behaviour: {
        stderr: ['feeds: bloomberg: no credentials in staging'],
        stdout: ['8 passed, 1 failed'],
        exitCode: 1,
      },
      times: 1,
    });
    const prodWrites = configWrites(prod).length;
    const pending = (await world.bot.pool.query(`SELECT id FROM approval_requests WHERE action = 'config promote'`))
      .rowCount;
    const staged = await stageChange(
      'alice',
      'config change market-data --from-configmap=market-data-config-next --reason "add a feed"',
    );
    expect(staged.run.status).toBe('failed');
    expect(staged.run.error).toContain(`eafix-cli test config --namespace=${staging}`);
    expect(staged.run.error).toContain(
      `Nothing reached production: its ${liveFeeds} is unchanged and no production approval was asked for.`,
    );
    expect(world.cluster.getConfigMap(staging, liveFeeds)?.data).toEqual({
      'feeds.yaml': 'feeds: [reuters, bloomberg]\n',
    });
    expect(world.cluster.getConfigMap(prod, liveFeeds)?.data).toEqual({ 'feeds.yaml': 'feeds: [reuters]\n' });
    expect(configWrites(prod).length).toBe(prodWrites);
    expect(
      (await world.bot.pool.query(`SELECT id FROM approval_requests WHERE action = 'config promote'`)).rowCount,
    ).toBe(pending);

    // Asking for production by hand is refused too: staging did not pass.
    const seen = world.slack.ephemerals('alice').length;
    await world.driver.command({
      user: 'alice',
      channel: ops,
      text: `config promote market-data ${staged.run.id} --from-configmap=market-data-config-next --reason "add a feed"`,
    });
    const refusal = await world.slack.waitFor(
      () => {
        const text = ephemeralText(world, 'alice', seen);
        return text.includes('did not pass staging') ? text : undefined;
      },
      { description: 'the promote refusal' },
    );
    expect(refusal).toContain('Nothing goes to production');
    expect(configWrites(prod).length).toBe(prodWrites);
  });

  it('a failing validation stops the run before staging is touched', async () => {
    world.cluster.putConfigMap(prod, 'notification-config-bad', { 'routes.yaml': 'routes: [' });
    world.cluster.workloads.behaviours.register({
      argv: ['eafix-cli', 'config', 'validate'],
      behaviour: { stderr: ['routes.yaml: line 1: unexpected end of flow sequence'], exitCode: 2 },
      times: 1,
    });
    const stagingWrites = configWrites(staging).length;
    const jobs = jobCommands().length;
    const staged = await stageChange(
      'alice',
      'config change notification-service --from-configmap=notification-config-bad --reason "add a route"',
    );
    expect(staged.run.status).toBe('failed');
    expect(staged.run.error).toContain('eafix-cli config validate --service=notification-service');
    expect(staged.run.error).toContain('not touched either');
    expect(configWrites(staging).length).toBe(stagingWrites);
    expect(jobCommands().slice(jobs)).toEqual([
      `${prod}: eafix-cli config validate --service=notification-service --configmap=notification-config-bad`,
    ]);
  });

  it('only the person who staged a change may ask for its production approval', async () => {
    const { rows } = await world.bot.pool.query<{ id: string }>(
      `SELECT id FROM runs WHERE action = 'config change' AND status = 'succeeded' ORDER BY created_at LIMIT 1`,
    );
    const stagedByAlice = rows[0]!.id;
    const seen = world.slack.ephemerals('bob').length;
    await world.driver.command({
      user: 'bob',
      channel: ops,
      text: `config promote risk-manager ${stagedByAlice} --from-configmap=risk-manager-config-next --reason "raise position limits"`,
    });
    const refusal = await world.slack.waitFor(
      () => {
        const text = ephemeralText(world, 'bob', seen);
        return text.includes('who staged this change') ? text : undefined;
      },
      { description: 'the refusal' },
    );
    expect(refusal).toContain('Only <@U0ALICE>');
  });
});
