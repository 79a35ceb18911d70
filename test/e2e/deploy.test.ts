/**
 * The Production Deployment Process end to end (Slack and Kubernetes emulators, real PostgreSQL and
 * Redis): the deploy form with the Prerequisites Checklist, two-person approval, every step's Jobs, backup, idle colour, switch, KPI monitor, old colour
 * to 0, verification; colours alternate on the next deploy and on rollback; a failed smoke test leaves
 * the previous colour live; a critical breach during the monitor switches back by itself.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultKpiQueries } from '@eafix/sandbox/prometheus';
import { textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, jobCommands, requestIdOf, runsSettled } from '../support/approvals.ts';
import { PREREQUISITES } from '../../src/handlers/deployment/deploy-input.ts';
import {
  approvedDeploy,
  decide,
  pauseQuestion,
  policyWithMonitor,
  readyForNextDeploy,
  startDeployWorld,
} from '../support/deploy-flows.ts';
import { runEnded } from '../support/runs.ts';

const ops = 'eafix-ops';
const ns = 'eafix-production';
let world: TestWorld;

beforeAll(async () => {
  // The monitor's window is policy: a second here, five minutes in production.
  world = await startDeployWorld('deploy', { policy: await policyWithMonitor() });
});
afterAll(async () => {
  await world?.stop();
});
beforeEach(() => readyForNextDeploy(world));

const ALL = Object.keys(PREREQUISITES);

const lastAuditId = async () =>
  Number((await world.bot.pool.query<{ id: string | null }>(`SELECT max(id) AS id FROM audit_log`)).rows[0]?.id ?? 0);

/** The Jobs the bot created in production: name and command line as the thread shows them. */
function jobsCreated(): Array<{ name: string; argv: string }> {
  return world.cluster.writes
    .filter((w) => w.method === 'POST' && w.path === `/apis/batch/v1/namespaces/${ns}/jobs`)
    .map((w) => {
      const body = w.body as {
        metadata?: { name?: string };
        spec?: { template?: { spec?: { containers?: Array<{ command?: string[] }> } } };
      };
      return {
        name: body.metadata?.name ?? '',
        // Quoted as a shell would show it (the thread's way): `'--message=Deploying 2.5.0'`.
        argv: (body.spec?.template?.spec?.containers?.[0]?.command ?? [])
          .map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w}'`))
          .join(' '),
      };
    });
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

  // The next three share the world: each starts where the one before left production.
  it('deploys through the form to the idle colour, through every step, every Job logged in the thread', async () => {
    expect(selector()).toBe('green');
    const auditFrom = await lastAuditId();
    // The requester confirms the Prerequisites Checklist in the deploy form the command opens.
    const first = await approvedDeploy(world, '2.5.0 --migrate --reason "release 2.5"', {
      form: async (modal, submit) => {
        const blocks = modal.view.blocks as Array<{ block_id?: string; element?: Record<string, unknown> }>;
        const element = (id: string) => blocks.find((b) => b.block_id === id)?.element;
        expect(element('version')?.initial_value).toBe('2.5.0');
        expect(element('reason')?.initial_value).toBe('release 2.5');
        expect(element('migrate')?.initial_options).toHaveLength(1);
        // Two items ticked: the form names the five missing ones, and nothing is requested.
        const partial = await submit({ checklist: { checklist: ['ci', 'scans'] } });
        expect(partial.outcome).toBe('errors');
        expect(partial.errors?.checklist).toContain(
          'Not confirmed: Database migrations tested in staging; Rollback plan documented; Stakeholders notified of the deployment window; Monitoring dashboards prepared; Support team on standby.',
        );
        // A version that is no image tag is an error on its field.
        const badVersion = await submit({ version: { version: 'v2.5 final!' }, checklist: { checklist: ALL } });
        expect(badVersion).toMatchObject({
          outcome: 'errors',
          errors: { version: 'must be an image tag such as 2.5.0' },
        });
        // Every item ticked; the prefilled fields go as they are.
        expect((await submit({ checklist: { checklist: ALL } })).outcome).toBe('closed');
      },
    });
    expect(first.run).toMatchObject({ status: 'succeeded', error: null });
    // The plan the approver saw named the objects, the image and the confirmed checklist.
    const plan = textOf(first.message.blocks);
    expect(plan).toContain('set deployment eafix-blue (blue, idle) to registry.eafix.local/eafix/gateway:2.5.0');
    expect(plan).toContain('patch service eafix-gateway selector version green→blue');
    expect(plan).toContain(`prerequisites confirmed by the requester: ${Object.values(PREREQUISITES).join('; ')}`);
    // The audit log: the form opened (no change), then one request, its confirmed checklist kept in the row.
    const audited = await world.bot.pool.query<{ outcome: string; arguments: Record<string, unknown> }>(
      `SELECT outcome, arguments FROM audit_log WHERE id > $1 AND action = 'deploy' AND user_id = 'U0ALICE' ORDER BY id`,
      [auditFrom],
    );
    expect(audited.rows.map((r) => r.outcome)).toEqual(['form-opened', 'started', 'ok']);
    expect(audited.rows[2]?.arguments).toMatchObject({
      version: '2.5.0',
      environment: 'production',
      migrate: true,
      checklist: ALL,
      reason: 'release 2.5',
    });

    expect(selector()).toBe('blue');
    expect(image('eafix-blue')).toBe('registry.eafix.local/eafix/gateway:2.5.0');
    expect(replicas('eafix-green')).toBe(0);
    expect(platform()).toMatchObject({ tradingEnabled: true, maintenance: false });
    expect(jobCommands(world)).toEqual([
      ['eafix-cli', 'doctor', '--environment=production'],
      ['eafix-cli', 'status', '--verbose'],
      ['eafix-cli', 'maintenance', 'enable', '--message=Deploying 2.5.0'],
      ['eafix-cli', 'trading', 'stop', '--graceful'],
      ['alembic', 'upgrade', 'head'],
      ['eafix-cli', 'database', 'verify'],
      ['eafix-cli', 'test', 'smoke', '--environment=blue'],
      ['eafix-cli', 'health-check', '--comprehensive'],
      ['eafix-cli', 'test', 'trading', '--environment=production'],
      ['eafix-cli', 'dashboard', 'verify'],
      ['eafix-cli', 'trading', 'start'],
      ['eafix-cli', 'maintenance', 'disable'],
    ]);
    // What ran is what the approvers saw: every eafix-cli command, as run, is in the approved plan.
    for (const argv of jobCommands(world).filter((a) => a[0] === 'eafix-cli' && a[1] !== 'maintenance'))
      expect(plan, argv.join(' ')).toContain(argv.join(' '));
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
    // Every Job's log is in the thread (its own message: command, Job name, log tail), and the monitor's KPIs.
    const jobs = jobsCreated();
    expect(jobs).toHaveLength(12);
    await world.slack.waitFor(
      (emu) => {
        const replies = emu.thread(ops, first.message.ts).map((r) => textOf(r.blocks ?? r.text));
        const logged = jobs.every(({ name, argv }) =>
          replies.some(
            (r) =>
              r.includes(`\`${argv}\` succeeded — Job \`${name}\``) && r.includes('```') && !r.includes('(no output)'),
          ),
        );
        const thread = replies.join('\n');
        return (
          logged &&
          ['configuration ok', 'No open orders left', 'alembic.runtime.migration', 'smoke tests', 'Error rate'].every(
            (s) => thread.includes(s),
          )
        );
      },
      { description: 'every Job log and the KPIs in the thread' },
    );
  });

  it('deploys the next version to the other colour, and status shows both with the rollback target', async () => {
    const second = await approvedDeploy(world, '2.6.0 --checklist=all --reason "release 2.6"');
    expect(second.run).toMatchObject({ status: 'succeeded' });
    expect(selector()).toBe('green');
    expect(image('eafix-green')).toBe('registry.eafix.local/eafix/gateway:2.6.0');
    expect(replicas('eafix-blue')).toBe(0);
    expect(platform()).toMatchObject({ tradingEnabled: true, maintenance: false });
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
  });

  it('rolls back to the previous colour, blue, ready before traffic moves', async () => {
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
    const rollbackRun = await world.bot.pool.query<{ status: string }>(
      `SELECT status FROM runs WHERE approval_id = $1`,
      [requestIdOf(rb)],
    );
    expect(rollbackRun.rows.map((r) => r.status)).toEqual(['succeeded']);
    expect(world.cluster.getDeployment(ns, 'eafix-blue')?.status?.readyReplicas).toBeGreaterThan(0);
    expect(image('eafix-blue')).toBe('registry.eafix.local/eafix/gateway:2.5.0');
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
    const { run, message } = await approvedDeploy(world, '2.7.0 --checklist=all --reason "release 2.7"');
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

    const ended = await runEnded(world, run.id);
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
    const { run, message } = await approvedDeploy(world, '2.7.1 --checklist=all --reason "release 2.7.1"');
    expect(run.status).toBe('paused');
    const question = await pauseQuestion(world.slack, message.ts, 'retry');
    // The injected failure happened once: the retried smoke Job passes.
    await decide(world, question, 'retry');
    const ended = await runEnded(world, run.id);
    expect(ended).toMatchObject({ status: 'succeeded', error: null });
    expect(selector()).toBe(idle);
    expect(image(`eafix-${idle}`)).toBe('registry.eafix.local/eafix/gateway:2.7.1');
  });

  it('a critical error rate during the monitor switches the gateway back by itself', async () => {
    const live = selector();
    world.prometheus.setResult(defaultKpiQueries.error_rate_percent, 12);
    const { run, message } = await approvedDeploy(world, '2.8.0 --checklist=all --reason "release 2.8"');
    expect(run.status).toBe('failed');
    expect(run.error).toContain('rolled the deploy back');
    // Traffic is back on the previous colour, which still runs its version with ready pods.
    expect(selector()).toBe(live);
    const previous = world.cluster.getDeployment(ns, `eafix-${live}`);
    expect(previous?.status?.readyReplicas).toBeGreaterThan(0);
    expect(previous?.spec?.template?.spec?.containers?.[0]?.image).not.toContain('2.8.0');
    expect(platform()).toMatchObject({ tradingEnabled: true, maintenance: false });
    await world.slack.waitFor((emu) => textOf(emu.thread(ops, message.ts)).includes('rolled back automatically'), {
      description: 'the automatic rollback reported',
    });
  });
});
