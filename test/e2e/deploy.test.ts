/**
 * The Production Deployment Process end to end (Slack and Kubernetes emulators, real PostgreSQL and
 * Redis): two-person approval, every step's Jobs, backup, idle colour, switch, KPI monitor, old colour
 * to 0, verification; colours alternate on the next deploy and on rollback; a failed smoke test leaves
 * the previous colour live; a critical breach during the monitor switches back by itself.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/config/policy.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { defaultKpiQueries, defaultKpiValues } from '@eafix/sandbox/prometheus';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, jobCommands, requestIdOf, runsSettled } from '../support/approvals.ts';

const ops = 'eafix-ops';
const ns = 'eafix-production';
let world: TestWorld;

beforeAll(async () => {
  const policy = await loadPolicy(examplePolicyPath);
  // The monitor's window is policy: seconds here, five minutes in production.
  policy.platform.deploy.monitorSeconds = 1;
  policy.platform.deploy.monitorIntervalSeconds = 0.2;
  world = await startWorld('deploy', {
    policy,
    clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10, commandScale: 0.05, veleroRunMs: 100 },
  });
});
afterAll(async () => {
  await world?.stop();
});
beforeEach(async () => {
  await runsSettled(world);
  world.prometheus.setResult(defaultKpiQueries.error_rate_percent, defaultKpiValues.error_rate_percent);
});

interface RunRow {
  id: string;
  status: string;
  error: string | null;
  summary: string | null;
}

async function approvedDeploy(args: string, requester = 'alice', approver = 'bob') {
  const seen = world.slack.ephemerals(requester).length;
  const after = world.slack.latestMessage(ops)?.ts ?? '0';
  await world.driver.command({ user: requester, channel: ops, text: `deploy ${args}` });
  await world.slack.waitFor(() => ephemeralText(world, requester, seen).includes('Approval requested'), {
    description: 'approval requested',
  });
  const message = await approvalMessageIn(world, ops, after);
  const id = requestIdOf(message);
  await world.driver.clickButton({ user: approver, channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
  const run = await eventually(
    async () => {
      const r = (
        await world.bot.pool.query<RunRow>(`SELECT id, status, error, summary FROM runs WHERE approval_id = $1`, [id])
      ).rows[0];
      return r && r.status !== 'queued' && r.status !== 'running' ? r : undefined;
    },
    `the deploy ${args} to end`,
    60_000,
  );
  return { message, id, run };
}

const selector = () => world.cluster.getService(ns, 'eafix-gateway')?.spec?.selector?.version;
const image = (d: string) => world.cluster.getDeployment(ns, d)?.spec?.template?.spec?.containers?.[0]?.image;
const replicas = (d: string) => world.cluster.getDeployment(ns, d)?.spec?.replicas;
const platform = () => world.cluster.workloads.platform.state(ns);

describe('/eafix deploy', () => {
  it('refuses without the prerequisites checklist, saying what is missing', async () => {
    const seen = world.slack.ephemerals('alice').length;
    await world.driver.command({
      user: 'alice',
      channel: ops,
      text: 'deploy 2.5.0 --checklist=ci,scans --reason "release"',
    });
    const said = await world.slack.waitFor(
      () => {
        const t = ephemeralText(world, 'alice', seen);
        return t.includes('Prerequisites Checklist') ? t : undefined;
      },
      { description: 'the refusal' },
    );
    expect(said).toContain('Not confirmed: migrations');
    expect(said).toContain('--checklist=all');
  });

  it('deploys to the idle colour through every step, then the next deploy goes to the other colour, and rollback returns', async () => {
    expect(selector()).toBe('green');
    const first = await approvedDeploy('2.5.0 --migrate --checklist=all --reason "release 2.5"');
    expect(first.run).toMatchObject({ status: 'succeeded', error: null });
    // The plan the approver saw named the objects and the image.
    const plan = textOf(first.message.blocks);
    expect(plan).toContain('set deployment eafix-blue (blue, idle) to registry.eafix.local/eafix/gateway:2.5.0');
    expect(plan).toContain('patch service eafix-gateway selector version green→blue');
    expect(plan).toContain('Database migrations tested in staging');

    expect(selector()).toBe('blue');
    expect(image('eafix-blue')).toBe('registry.eafix.local/eafix/gateway:2.5.0');
    expect(replicas('eafix-green')).toBe(0);
    expect(platform()).toMatchObject({ tradingEnabled: true, maintenance: false });
    expect(jobCommands(world)).toEqual([
      ['eafix-cli', 'doctor'],
      ['eafix-cli', 'status', '--verbose'],
      ['eafix-cli', 'maintenance', 'enable', '--message=Deploying 2.5.0'],
      ['eafix-cli', 'trading', 'stop', '--graceful'],
      ['alembic', 'upgrade', 'head'],
      ['eafix-cli', 'database', 'verify'],
      ['eafix-cli', 'test', 'smoke', '--colour=blue'],
      ['eafix-cli', 'health-check', '--comprehensive'],
      ['eafix-cli', 'test', 'trading'],
      ['eafix-cli', 'trading', 'start'],
      ['eafix-cli', 'maintenance', 'disable'],
    ]);
    // Migrations ran in the new version's image.
    const migrateJob = world.cluster.writes.find((w) => JSON.stringify(w.body).includes('"alembic"'));
    expect(JSON.stringify(migrateJob?.body)).toContain('registry.eafix.local/eafix/gateway:2.5.0');
    // The Velero backup was created and completed, its name kept in the run.
    const backupStep = await world.bot.pool.query<{ output: { backup: string } }>(
      `SELECT output FROM run_steps WHERE run_id = $1 AND step_id = 'backup'`,
      [first.run.id],
    );
    const backupName = backupStep.rows[0]?.output.backup;
    expect(backupName).toMatch(/^eafix-deploy-/);
    // Every Job's log is in the thread, and the monitor's KPIs.
    await world.slack.waitFor(
      (emu) => {
        const thread = textOf(emu.thread(ops, first.message.ts));
        return [
          'configuration ok',
          'No open orders left',
          'alembic.runtime.migration',
          'smoke tests',
          'Error rate',
        ].every((s) => thread.includes(s));
      },
      { description: 'every Job log and the KPIs in the thread' },
    );

    const second = await approvedDeploy('2.6.0 --checklist=all --reason "release 2.6"');
    expect(second.run).toMatchObject({ status: 'succeeded' });
    expect(selector()).toBe('green');
    expect(image('eafix-green')).toBe('registry.eafix.local/eafix/gateway:2.6.0');
    expect(replicas('eafix-blue')).toBe(0);
    expect(world.cluster.getService(ns, 'eafix-gateway')?.metadata?.annotations).toMatchObject({
      'eafix.io/previous-colour': 'blue',
      'eafix.io/previous-version': '2.5.0',
    });

    const statusSeen = world.slack.ephemerals('carol').length;
    await world.driver.command({ user: 'carol', channel: ops, text: 'status' });
    const status = await world.slack.waitFor(
      () => {
        const said = ephemeralText(world, 'carol', statusSeen);
        return said.includes('*Live colour:*') ? said : undefined;
      },
      { description: 'the status answer' },
    );
    expect(status).toContain('*Live colour:* green 2.6.0');
    expect(status).toContain('*Rollback to:* blue 2.5.0');

    // Rollback returns to the previous colour, blue, ready before traffic moves.
    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({ user: 'dave', channel: ops, text: 'rollback --reason "errors after 2.6"' });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
      description: 'rollback approval requested',
    });
    const rb = await approvalMessageIn(world, ops);
    expect(textOf(rb.blocks)).toContain('selector version green→blue');
    await world.driver.clickButton({ user: 'alice', channel: ops, messageTs: rb.ts, actionId: 'approval:approve' });
    await eventually(async () => selector() === 'blue', 'the gateway back on blue');
    await runsSettled(world);
    expect(world.cluster.getDeployment(ns, 'eafix-blue')?.status?.readyReplicas).toBeGreaterThan(0);
  });

  it('a failed smoke test pauses the run with three buttons; a read-only click is refused, two clicks decide once, Roll back leaves the previous colour live', async () => {
    const live = selector();
    const idle = live === 'blue' ? 'green' : 'blue';
    const idleImageBefore = image(`eafix-${idle}`);
    const idleReplicasBefore = replicas(`eafix-${idle}`);
    world.cluster.workloads.behaviours.register({
      argv: ['eafix-cli', 'test', 'smoke'],
      behaviour: { stdout: ['11 passed, 1 failed'], stderr: ['FAILED test_order_roundtrip'], exitCode: 1 },
      times: 1,
    });
    const { run, message } = await approvedDeploy('2.7.0 --checklist=all --reason "release 2.7"');
    expect(run.status).toBe('paused');
    expect(selector()).toBe(live);
    // The pause is stored before its buttons are posted; the buttons are in the run's thread.
    const pause = (
      await world.bot.pool.query<{ id: string; step_id: string }>(
        'SELECT id, step_id FROM run_pauses WHERE run_id = $1',
        [run.id],
      )
    ).rows[0];
    expect(pause?.step_id).toBe('smoke');
    const question = await world.slack.waitFor(
      (emu) =>
        emu
          .thread(ops, message.ts)
          .find(
            (m) =>
              JSON.stringify(m.blocks ?? []).includes('run:decide:rollback') && textOf(m.blocks).includes('FAILED'),
          ),
      { description: 'the paused question with its buttons' },
    );
    const buttons = JSON.stringify(question.blocks);
    for (const label of ['Retry step', 'Roll back', 'Abort, leave as is']) expect(buttons).toContain(label);
    expect(textOf(question.blocks)).toContain(`the gateway selects ${live}`);

    // carol is a viewer: refused, with why, and nothing decided.
    const carolSeen = world.slack.ephemerals('carol').length;
    await world.driver.clickButton({
      user: 'carol',
      channel: ops,
      messageTs: question.ts,
      actionId: 'run:decide:rollback',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'carol', carolSeen).includes('you may only look'), {
      description: 'the refusal',
    });
    // alice and dave at once: one decision, the other is told who decided what.
    const aliceSeen = world.slack.ephemerals('alice').length;
    const daveSeen = world.slack.ephemerals('dave').length;
    await Promise.all([
      world.driver.clickButton({
        user: 'alice',
        channel: ops,
        messageTs: question.ts,
        actionId: 'run:decide:rollback',
      }),
      world.driver.clickButton({ user: 'dave', channel: ops, messageTs: question.ts, actionId: 'run:decide:rollback' }),
    ]);
    const told = await world.slack.waitFor(
      () => {
        const both = [ephemeralText(world, 'alice', aliceSeen), ephemeralText(world, 'dave', daveSeen)];
        return both.every((t) => t.includes('Recorded') || t.includes('Already decided')) ? both : undefined;
      },
      { description: 'both clickers told' },
    );
    expect(told.filter((t) => t.includes('Recorded'))).toHaveLength(1);
    expect(told.filter((t) => t.includes('Already decided'))).toHaveLength(1);
    const decided = (
      await world.bot.pool.query<{ option_id: string }>('SELECT option_id FROM run_pauses WHERE id = $1', [pause?.id])
    ).rows[0];
    const audited = await world.bot.pool.query<{ outcome: string }>(
      `SELECT outcome FROM audit_log WHERE action = 'run.decide' ORDER BY id`,
    );
    expect(audited.rows.map((r) => r.outcome).sort()).toEqual(['already-decided', 'denied', 'ok']);

    const ended = await eventually(async () => {
      const r = (
        await world.bot.pool.query<RunRow>('SELECT id, status, error, summary FROM runs WHERE id = $1', [run.id])
      ).rows[0];
      return r && r.status !== 'queued' && r.status !== 'running' && r.status !== 'paused' ? r : undefined;
    }, 'the decided run to end');
    expect(ended.status).toBe('failed');
    expect(selector()).toBe(live);
    expect(world.cluster.getDeployment(ns, `eafix-${live}`)?.status?.readyReplicas).toBeGreaterThan(0);
    expect(decided?.option_id).toBe('rollback');
    expect(ended.error).toContain('Rolled back');
    // The idle colour has its previous image and replicas back.
    expect(image(`eafix-${idle}`)).toBe(idleImageBefore);
    expect(replicas(`eafix-${idle}`)).toBe(idleReplicasBefore);
    await world.slack.waitFor((emu) => textOf(emu.thread(ops, message.ts)).includes('/eafix deploy 2.7.0'), {
      description: 'the state and the next command in the thread',
    });
  });

  it('Retry step after the failure is cleared completes the deploy', async () => {
    const live = selector();
    const idle = live === 'blue' ? 'green' : 'blue';
    world.cluster.workloads.behaviours.register({
      argv: ['eafix-cli', 'test', 'smoke'],
      behaviour: { stdout: ['0 passed'], stderr: ['smoke environment not ready'], exitCode: 1 },
      times: 1,
    });
    const { run, message } = await approvedDeploy('2.7.1 --checklist=all --reason "release 2.7.1"');
    expect(run.status).toBe('paused');
    const question = await world.slack.waitFor(
      (emu) => emu.thread(ops, message.ts).find((m) => JSON.stringify(m.blocks ?? []).includes('run:decide:retry')),
      { description: 'the paused question' },
    );
    // The injected failure happened once: the retried smoke Job passes.
    await world.driver.clickButton({
      user: 'alice',
      channel: ops,
      messageTs: question.ts,
      actionId: 'run:decide:retry',
    });
    const ended = await eventually(
      async () => {
        const r = (
          await world.bot.pool.query<RunRow>('SELECT id, status, error, summary FROM runs WHERE id = $1', [run.id])
        ).rows[0];
        return r && r.status !== 'queued' && r.status !== 'running' && r.status !== 'paused' ? r : undefined;
      },
      'the retried deploy to end',
      60_000,
    );
    expect(ended).toMatchObject({ status: 'succeeded', error: null });
    expect(selector()).toBe(idle);
    expect(image(`eafix-${idle}`)).toBe('registry.eafix.local/eafix/gateway:2.7.1');
  });

  it('a critical error rate during the monitor switches the gateway back by itself', async () => {
    const live = selector();
    world.prometheus.setResult(defaultKpiQueries.error_rate_percent, 12);
    const { run, message } = await approvedDeploy('2.8.0 --checklist=all --reason "release 2.8"');
    expect(run.status).toBe('failed');
    expect(run.error).toContain('rolled the deploy back');
    expect(selector()).toBe(live);
    await world.slack.waitFor((emu) => textOf(emu.thread(ops, message.ts)).includes('rolled back automatically'), {
      description: 'the automatic rollback reported',
    });
  });
});
