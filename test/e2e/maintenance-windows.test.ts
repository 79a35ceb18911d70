/**
 * The runbook's Scheduled Maintenance Windows end to end, on real PostgreSQL, Redis and the emulators,
 * with two bots on one database as replicas and the bots' clock set to the hour that matters: the plan
 * is posted once ahead of the window, an unapproved window does not run and says so once, an approved
 * one runs every weekly step in the runbook's order as toolbox Jobs and ends with maintenance off, and
 * a step that would overrun its window pauses and asks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/config/policy.ts';
import { maintenancePolicySchema } from '../../src/config/maintenance-policy.ts';
import { createLogger } from '../../src/logger.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { maintenanceWindowPass, postPlan } from '../../src/handlers/maintenance/window-schedule.ts';
import type { ApprovalRequester } from '../../src/handlers/core/invoke-planned.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, jobCommands, requestIdOf } from '../support/approvals.ts';

const ops = 'eafix-ops';
const ns = 'eafix-production';
let world: TestWorld;
let replica: RunningBot;

// The bots' clock: set to an instant, then moving with real time from there.
let base = Date.parse('2026-12-01T12:00:00Z');
let setAt = Date.now();
const now = () => new Date(base + (Date.now() - setAt));
const setClock = (iso: string) => {
  base = Date.parse(iso);
  setAt = Date.now();
};

beforeAll(async () => {
  const policy = await loadPolicy(examplePolicyPath);
  policy.maintenance = maintenancePolicySchema.parse({
    windows: {
      weekly: {},
      // Its own schedule is far away: the test runs it now.
      monthly: { cron: '0 1 1 1 *' },
      // Ten minutes: its vacuum (about 20 minutes) cannot fit. Its own schedule is far away.
      short: { cron: '0 3 1 1 *', duration: '10m', steps: ['maintenance-on', 'vacuum', 'maintenance-off'] },
    },
  });
  world = await startWorld('maint_windows', {
    policy,
    now,
    clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 },
  });
  replica = await startBot({
    env: world.env,
    policy: world.policy,
    logger: createLogger({ level: 'silent' }),
    role: 'all',
    host: '127.0.0.1',
    kubeConfig: world.cluster.kubeConfig(),
    now,
  });
});
afterAll(async () => {
  await replica?.stop();
  await world?.stop();
});

/** Both replicas look at the windows at the same moment (their reconcilers do too, in the background). */
const bothPass = () =>
  Promise.all(
    [world.bot, replica].map((bot) =>
      maintenanceWindowPass(bot.deps, bot.approvalService, createLogger({ level: 'silent' })),
    ),
  );

const windowRow = async (id: string) =>
  (
    await world.bot.pool.query<{ state: string; run_id: string | null; approval_id: string | null }>(
      'SELECT state, run_id, approval_id FROM maintenance_windows WHERE id = $1',
      [id],
    )
  ).rows[0];

const approvalsOf = async (at: string) =>
  (
    await world.bot.pool.query<{ id: string; required_approvals: number }>(
      `SELECT id, required_approvals FROM approval_requests WHERE action = 'maintenance run' AND arguments->>'at' = $1`,
      [at],
    )
  ).rows;

const finishedRun = (runId: string, timeoutMs = 30_000) =>
  eventually(
    async () => {
      const row = (
        await world.bot.pool.query<{ status: string; error: string | null }>(
          'SELECT status, error FROM runs WHERE id = $1',
          [runId],
        )
      ).rows[0];
      return row && ['succeeded', 'failed', 'cancelled'].includes(row.status) ? row : undefined;
    },
    `run ${runId} to end`,
    timeoutMs,
  );

async function ask(user: string, text: string, until: string): Promise<string> {
  const seen = world.slack.ephemerals(user).length;
  await world.driver.command({ user, channel: ops, text });
  return world.slack.waitFor(
    () => {
      const said = ephemeralText(world, user, seen);
      return said.includes(until) ? said : undefined;
    },
    { description: `an answer to /eafix ${text}` },
  );
}

const runStatus = async (runId: string) =>
  (await world.bot.pool.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [runId])).rows[0]?.status;

const maintenanceOn = () => world.cluster.workloads.platform.state(ns).maintenance;
const skippedNotices = () =>
  world.slack.messages(ops).filter((m) => m.text.startsWith(':no_entry: The weekly maintenance window'));

const WEEKLY_COMMANDS = [
  ['eafix-cli', 'maintenance', 'enable', '--scheduled'],
  ['eafix-cli', 'database', 'vacuum', '--analyze'],
  ['eafix-cli', 'database', 'reindex', '--critical-only'],
  ['eafix-cli', 'logs', 'cleanup', '--older-than=30d'],
  ['prometheus-cleanup.sh', '--retention=30d'],
  ['kubectl', 'apply', '--server-side', '--field-manager=eafix-maintenance', '-f', 'maintenance/security-patches.yaml'],
  ['eafix-cli', 'doctor', '--comprehensive'],
  ['eafix-cli', 'maintenance', 'disable'],
];

describe('maintenance windows', () => {
  it('a step that would overrun the window pauses and asks; Stop restores service and ends the run', async () => {
    const before = jobCommands(world).length;
    await ask('alice', 'maintenance run short --now --reason "overrun drill"', 'Approval requested');
    const approval = await approvalMessageIn(world, ops);
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: approval.ts, actionId: 'approval:approve' });
    const pause = await world.slack.waitFor(
      () => world.slack.thread(ops, approval.ts).find((m) => textOf(m.blocks).includes('Stop and restore service')),
      { description: 'the overrun question in the thread' },
    );
    expect(textOf(pause.blocks)).toContain('after the short window closes at');
    expect(maintenanceOn()).toBe(true);
    const runId = (
      await world.bot.pool.query<{ id: string; status: string }>(`SELECT id, status FROM runs WHERE approval_id = $1`, [
        requestIdOf(approval),
      ])
    ).rows[0]!.id;
    expect(await runStatus(runId)).toBe('paused');
    // Carol may only look; bob, an operator, stops the window.
    await world.driver.clickButton({ user: 'carol', channel: ops, messageTs: pause.ts, label: 'Continue' });
    await world.slack.waitFor(() => ephemeralText(world, 'carol').includes('you may only look') || undefined, {
      description: "carol's refusal",
    });
    expect(await runStatus(runId)).toBe('paused');
    await world.driver.clickButton({
      user: 'bob',
      channel: ops,
      messageTs: pause.ts,
      label: 'Stop and restore service',
    });
    const run = await finishedRun(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toContain('Stopped before *Vacuum and analyse the database*');
    expect(run.error).toContain('service restored (maintenance mode off)');
    // The note under the failure tells the state the stop left, not a maybe.
    expect(run.error).toContain('Maintenance mode is off again: stopping the window turned it off');
    expect(run.error).not.toContain('if it is still on');
    expect(maintenanceOn()).toBe(false);
    await world.slack.waitFor(
      () =>
        textOf(world.slack.thread(ops, approval.ts).find((m) => m.ts === pause.ts)?.blocks).includes(
          'chose *Stop and restore service*',
        ) || undefined,
      { description: 'the decision shown on the question' },
    );
    expect(
      jobCommands(world)
        .slice(before)
        .filter((c) => c[0] !== 'kubectl'),
    ).toEqual([
      ['eafix-cli', 'maintenance', 'enable', '--scheduled'],
      ['eafix-cli', 'maintenance', 'disable'],
    ]);
  });

  it('posts the weekly plan once across two replicas; unapproved, the window does not run and says so once', async () => {
    const at = '2026-12-13T02:00:00.000Z';
    setClock('2026-12-12T03:00:00Z');
    await bothPass();
    await bothPass();
    const message = await approvalMessageIn(world, ops);
    expect(await approvalsOf(at)).toHaveLength(1);
    expect((await approvalsOf(at))[0]!.required_approvals).toBe(2);
    expect(
      world.slack.messages(ops).filter((m) => m.ts !== message.ts && textOf(m.blocks).includes(`--at=${at}`)),
    ).toEqual([]);
    const plan = textOf(message.blocks);
    expect(plan).toContain('run the weekly maintenance window in production: Sun, 13 Dec 2026, 02:00–04:00 UTC');
    const titles = [
      'Enable maintenance mode',
      'Vacuum and analyse the database',
      'Reindex the critical tables',
      'Clear old logs',
      'Clean up metrics past their retention',
      'Apply the security-patch manifests',
      'Verify system health',
      'Disable maintenance mode',
    ];
    const positions = titles.map((t) => plan.indexOf(`step ${t}`));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(plan).toContain('+        image: registry.eafix.local/eafix/eafix-gateway:2.4.0-security.1');
    const id = `weekly@${at}`;
    expect(await windowRow(id)).toMatchObject({ state: 'announced', approval_id: requestIdOf(message) });

    const jobsBefore = jobCommands(world).length;
    setClock('2026-12-13T02:01:00Z');
    await bothPass();
    await bothPass();
    await world.slack.waitFor(() => skippedNotices()[0], { description: 'the window-not-run notice' });
    expect(skippedNotices()).toHaveLength(1);
    expect(skippedNotices()[0]!.text).toContain('did not run: its plan was not approved. Nothing was changed.');
    expect(await windowRow(id)).toMatchObject({ state: 'skipped', run_id: null });
    expect(jobCommands(world).slice(jobsBefore)).toEqual([]);
    expect(maintenanceOn()).toBe(false);
    const listed = await ask('carol', 'maintenance windows', 'Maintenance windows');
    expect(listed).toContain('did not run (not approved)');
  });

  it('approved by two people, the weekly window runs every step in order when it opens and restores service', async () => {
    const at = '2026-12-20T02:00:00.000Z';
    setClock('2026-12-19T03:00:00Z');
    const after = world.slack.messages(ops).at(-1)?.ts ?? '0';
    await bothPass();
    const message = await approvalMessageIn(world, ops, after);
    expect(textOf(message.blocks)).toContain('Sun, 20 Dec 2026, 02:00–04:00 UTC');
    await world.driver.clickButton({
      user: 'alice',
      channel: ops,
      messageTs: message.ts,
      actionId: 'approval:approve',
    });
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    const id = `weekly@${at}`;
    await eventually(async () => (await windowRow(id))?.state === 'approved' || undefined, 'the window to be approved');
    await world.slack.waitFor(
      () => world.slack.thread(ops, message.ts).find((m) => m.text.includes('maintenance window is approved')),
      { description: 'the approval answer in the thread' },
    );
    const listed = await ask('carol', 'maintenance windows', 'Maintenance windows');
    expect(listed).toContain(':white_check_mark: approved by <@');

    const jobsBefore = jobCommands(world).length;
    setClock('2026-12-20T02:00:30Z');
    await bothPass();
    await bothPass();
    const row = await eventually(async () => {
      const r = await windowRow(id);
      return r?.run_id ? r : undefined;
    }, 'the window run to start');
    const runs = (await world.bot.pool.query(`SELECT id FROM runs WHERE idempotency_key = $1`, [`window-${id}`])).rows;
    expect(runs).toHaveLength(1);
    const run = await finishedRun(row.run_id!);
    expect(run).toMatchObject({ status: 'succeeded', error: null });
    expect(jobCommands(world).slice(jobsBefore)).toEqual(WEEKLY_COMMANDS);
    expect(maintenanceOn()).toBe(false);
    expect(world.cluster.workloads.platform.state(ns).appliedManifests).toContain('maintenance/security-patches.yaml');
    const results = await ask('carol', 'maintenance windows', 'Maintenance windows');
    expect(results).toContain(`run \`${row.run_id}\` succeeded`);
  });

  it('a worker that dies after posting the plan, before recording it: the re-post finds the same request and message', async () => {
    const at = '2026-12-27T02:00:00.000Z';
    const id = `weekly@${at}`;
    // Claimed while the bots' clock is still in the last window (their own passes look at that one), as
    // the dying worker claimed it: announced at 03:00 the day before.
    expect(
      await world.bot.deps.maintenance.windows.claim({
        id,
        window: 'weekly',
        environment: 'production',
        startsAt: new Date(at),
        endsAt: new Date('2026-12-27T04:00:00.000Z'),
        onDemand: false,
        state: 'announced',
        announcedAt: new Date('2026-12-26T03:00:00Z'),
      }),
    ).toBe(true);
    setClock('2026-12-26T03:00:00Z');
    const after = world.slack.messages(ops).at(-1)?.ts ?? '0';
    // The worker posts the plan and is killed before it records the request on the occurrence.
    const dying: ApprovalRequester = {
      request: async (...args) => {
        await world.bot.approvalService.request(...args);
        throw new Error('worker killed');
      },
    };
    const record = (await world.bot.deps.maintenance.windows.get(id))!;
    await expect(postPlan(world.bot.deps, dying, record, createLogger({ level: 'silent' }))).rejects.toThrow(
      'worker killed',
    );
    const message = await approvalMessageIn(world, ops, after);
    expect(await windowRow(id)).toMatchObject({ state: 'announced', approval_id: null });

    // Five minutes on, both replicas see a claim without its request and post it again.
    setClock('2026-12-26T03:06:00Z');
    await bothPass();
    await bothPass();
    expect(await approvalsOf(at)).toEqual([{ id: requestIdOf(message), required_approvals: 2 }]);
    expect(await windowRow(id)).toMatchObject({ state: 'announced', approval_id: requestIdOf(message) });
    const posted = world.slack
      .messages(ops)
      .filter((m) => m.ts > after && textOf(m.blocks).includes('Sun, 27 Dec 2026, 02:00–04:00 UTC'));
    expect(posted.map((m) => m.ts)).toEqual([message.ts]);
  });

  it('a scheduled plan superseded before approval is asked again with its own expiry and two approvers', async () => {
    const at = '2027-01-10T02:00:00.000Z';
    setClock('2027-01-09T03:00:00Z');
    const after = world.slack.messages(ops).at(-1)?.ts ?? '0';
    await bothPass();
    const message = await approvalMessageIn(world, ops, after);
    // The world changes before the approval: the security patches were rolled back, so they differ again.
    world.cluster.workloads.platform.update(ns, (p) => Object.assign(p, { appliedManifests: [] }));
    for (const user of ['alice', 'bob'])
      await world.driver.clickButton({ user, channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    const notice = await world.slack.waitFor(
      () => world.slack.thread(ops, message.ts).find((m) => m.text.includes('Fresh approval requested')),
      { description: 'the superseded notice' },
    );
    const fresh = /apr_[0-9a-f]{12}/.exec(notice.text)![0];
    const row = (
      await world.bot.pool.query<{ required_approvals: number; expires_at: Date; requester: string }>(
        'SELECT required_approvals, expires_at, requester FROM approval_requests WHERE id = $1',
        [fresh],
      )
    ).rows[0]!;
    expect(row).toEqual({ required_approvals: 2, expires_at: new Date(at), requester: 'eafix-schedule' });
    expect((await approvalsOf(at)).map((r) => r.id).sort()).toEqual([requestIdOf(message), fresh].sort());
    const again = await approvalMessageIn(world, ops, message.ts);
    expect(requestIdOf(again)).toBe(fresh);
    expect(textOf(again.blocks)).toContain('+        image:');
    // Approved the second time, the window records that request: its thread is where the run reports.
    for (const user of ['alice', 'bob'])
      await world.driver.clickButton({ user, channel: ops, messageTs: again.ts, actionId: 'approval:approve' });
    const approved = await eventually(async () => {
      const r = await windowRow(`weekly@${at}`);
      return r?.state === 'approved' ? r : undefined;
    }, 'the window to be approved');
    expect(approved.approval_id).toBe(fresh);
  });

  it('approved after its window was skipped, the answer says what happened and how to run it now', async () => {
    const at = '2027-01-17T02:00:00.000Z';
    setClock('2027-01-17T01:55:00Z');
    const after = world.slack.messages(ops).at(-1)?.ts ?? '0';
    await bothPass();
    const scheduled = await approvalMessageIn(world, ops, after);
    await ask('alice', `maintenance run weekly --at=${at} --reason "approve the window myself"`, 'Approval requested');
    const approval = await approvalMessageIn(world, ops, scheduled.ts);
    setClock('2027-01-17T02:01:00Z');
    await bothPass();
    expect(await windowRow(`weekly@${at}`)).toMatchObject({ state: 'skipped', run_id: null });
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: approval.ts, actionId: 'approval:approve' });
    const answer = await world.slack.waitFor(
      () => world.slack.thread(ops, approval.ts).find((m) => m.text.includes('Execution failed')),
      { description: 'the answer to the late approval' },
    );
    expect(answer.text).toContain(
      'The weekly window of Sun, 17 Jan 2027, 02:00–04:00 UTC was skipped: it opened before its plan was approved, so it did not run',
    );
    expect(answer.text).toContain('`/eafix maintenance run weekly --now`');
    expect(await windowRow(`weekly@${at}`)).toMatchObject({ state: 'skipped', run_id: null });
  });

  it('the monthly window run now: full backup and its verification, optimise, certificates, updates, benchmark, capacity', async () => {
    const before = jobCommands(world).length;
    await ask('alice', 'maintenance run monthly --now --reason "monthly window, early"', 'Approval requested');
    const approval = await approvalMessageIn(world, ops);
    const plan = textOf(approval.blocks);
    expect(plan).toContain('full Velero backup of the environment');
    expect(plan).toContain('+        image: registry.eafix.local/eafix/eafix-node-agent:2.4.0-security.1');
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: approval.ts, actionId: 'approval:approve' });
    const runId = await eventually(
      async () =>
        (
          await world.bot.pool.query<{ id: string }>(`SELECT id FROM runs WHERE approval_id = $1`, [
            requestIdOf(approval),
          ])
        ).rows[0]?.id,
      'the monthly run',
    );
    // Velero backs up, then restores into the scratch namespace: minutes of simulated time.
    const run = await finishedRun(runId, 180_000);
    expect(run).toMatchObject({ status: 'succeeded', error: null });
    const commands = jobCommands(world)
      .slice(before)
      .filter((c) => c[1] !== 'diff');
    expect(commands).toEqual([
      ['eafix-cli', 'database', 'verify', '--namespace=eafix-restore-test'],
      ['eafix-cli', 'database', 'optimize', '--full'],
      ...commands.filter((c) => c[0] === 'cmctl'),
      [
        'kubectl',
        'apply',
        '--server-side',
        '--field-manager=eafix-maintenance',
        '-f',
        'maintenance/security-updates.yaml',
      ],
      ['eafix-cli', 'benchmark', 'run', '--save-results'],
      ['eafix-cli', 'capacity', 'analyze', '--generate-report'],
    ]);
    const steps = (
      await world.bot.pool.query<{ step_id: string; status: string }>(
        'SELECT step_id, status FROM run_steps WHERE run_id = $1 ORDER BY step_index',
        [runId],
      )
    ).rows;
    expect(steps.map((s) => s.step_id)).toEqual([
      'full-backup',
      'check-backup',
      'test-restore',
      'cleanup',
      'report',
      'database-optimize',
      'certificates',
      'security-updates',
      'benchmark',
      'capacity-report',
    ]);
    expect(steps.every((s) => s.status === 'succeeded')).toBe(true);
    const backups = await world.bot.deps.cluster.listBackups();
    expect(backups.some((b) => b.name.endsWith('-full') && b.phase === 'Completed')).toBe(true);
  }, 240_000);
});
