/**
 * Trading and maintenance act on the platform: the approved `trading stop --graceful` runs
 * `eafix-cli trading stop --graceful` in a Job (asserted on the Job's spec), the simulated platform
 * really stops, the Job's log lands in the approval thread, and every status view answers from the
 * platform (its `eafix-cli status` Job or its metrics), never from the bot's own bookkeeping.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import {
  approvalMessageIn,
  ephemeralText,
  jobCommands,
  requestIdOf,
  resetPlatform,
  runsSettled,
  tradingState,
} from '../support/approvals.ts';

const ops = 'eafix-ops';
const ns = 'eafix-production';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('platform_commands', { clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 } });
});
afterAll(async () => {
  await world?.stop();
});
beforeEach(async () => {
  await runsSettled(world);
  resetPlatform(world);
});

const runOf = async (approvalId: string) =>
  (await world.bot.pool.query(`SELECT id, status, error FROM runs WHERE approval_id = $1`, [approvalId])).rows[0] as
    { id: string; status: string; error: string | null } | undefined;

/** The answer to a command once it holds `until` (a slow answer is acked "Working on…" first). */
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

const jobBodies = () =>
  world.cluster.writes
    .filter((w) => w.method === 'POST' && w.path === `/apis/batch/v1/namespaces/${ns}/jobs`)
    .map((w) => w.body as Record<string, unknown>);

describe('trading and maintenance through platform Jobs', () => {
  it('trading stop --graceful runs `eafix-cli trading stop --graceful` in a Job; status answers from the platform', async () => {
    const seen = world.slack.ephemerals('alice').length;
    await world.driver.command({
      user: 'alice',
      channel: ops,
      text: 'trading stop --graceful --reason "DB migration 42"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'alice', seen).includes('Approval requested'), {
      description: 'approval requested',
    });
    const message = await approvalMessageIn(world, ops);
    const id = requestIdOf(message);
    const plan = textOf(message.blocks);
    expect(plan).toContain('set trading: running → stopped in production');
    expect(plan).toContain('run `eafix-cli trading stop --graceful` as a Job in eafix-production');
    expect(jobBodies()).toEqual([]);

    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    const run = await eventually(async () => {
      const r = await runOf(id);
      return r && r.status !== 'queued' && r.status !== 'running' ? r : undefined;
    }, 'the trading stop run to end');
    expect(run).toMatchObject({ status: 'succeeded', error: null });
    expect(tradingState(world)).toEqual({ state: 'stopped' });

    const stop = jobBodies().find((b) => JSON.stringify(b).includes('"stop"'));
    expect(stop).toMatchObject({
      metadata: {
        labels: { 'eafix.io/run': run.id, 'eafix.io/step': 'command', 'eafix.io/requested-by': 'U0ALICE' },
        annotations: { 'eafix.io/changed-by': 'U0ALICE', 'eafix.io/approval-id': id },
      },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 600,
        ttlSecondsAfterFinished: 3600,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                image: 'registry.eafix.local/eafix/eafix-toolbox:2.4.0',
                command: ['eafix-cli', 'trading', 'stop', '--graceful'],
              },
            ],
          },
        },
      },
    });
    // The platform was asked afterwards whether it took.
    expect(jobCommands(world)).toEqual([
      ['eafix-cli', 'trading', 'stop', '--graceful'],
      ['eafix-cli', 'status'],
    ]);
    // Each Job's log is in the approval thread; the run's result too.
    await world.slack.waitFor(
      (emu) => {
        const thread = textOf(emu.thread(ops, message.ts));
        return thread.includes('No open orders left') && thread.includes('trading is now stopped');
      },
      { description: 'the Job logs and the result in the thread' },
    );
    await world.slack.waitFor(
      (emu) => emu.messages(ops).some((m) => m.text.includes('Trading STOPPED (graceful) in production by <@U0ALICE>')),
      { description: 'the announcement' },
    );

    // `trading status` runs `eafix-cli status` and answers with what the platform says.
    await ask('carol', 'trading status', 'You need the `trading.status` permission');
    const answer = await ask('alice', 'trading status', 'Trading in production:');
    expect(answer).toContain('Trading in production: *stopped*');
    expect(answer).toContain("Answered by the platform's `eafix-cli status`");
    expect(jobCommands(world).at(-1)).toEqual(['eafix-cli', 'status']);
    // `status` reads the platform's metrics (eafix_trading_enabled), which the simulated exporter keeps.
    const status = await ask('carol', 'status', '*Live colour:*');
    expect(status).toContain('*Trading:* stopped');

    // Who asked and who approved are on the audit log.
    const audit = await world.bot.pool.query<{ user_id: string; action: string }>(
      `SELECT user_id, action FROM audit_log WHERE arguments->>'approval' = $1 OR request_id IN
         (SELECT request_id FROM approval_requests WHERE id = $1) ORDER BY id`,
      [id],
    );
    expect(audit.rows).toContainEqual({ user_id: 'U0ALICE', action: 'trading stop' });
    expect(audit.rows.some((r) => r.user_id === 'U0BOB')).toBe(true);
  });

  it('the platform is the truth: a change made outside the bot shows in every status view', async () => {
    world.cluster.workloads.platform.update(ns, (p) => {
      p.maintenance = true;
      p.maintenanceMessage = 'Exchange upgrade';
    });
    const answer = await ask('alice', 'maintenance status', 'Maintenance mode in production:');
    expect(answer).toContain('Maintenance mode in production: *on* ("Exchange upgrade")');
    const status = await ask('carol', 'status', '*Live colour:*');
    expect(status).toContain('*Maintenance:* on');
  });

  it('maintenance enable passes the message as one argv word (no shell), and disable undoes it', async () => {
    const message = 'Deploy in progress; back at 10:00 $(whoami)';
    await world.driver.command({
      user: 'alice',
      channel: ops,
      text: `maintenance enable --message="${message}" --reason "release v2"`,
    });
    await eventually(
      async () => world.cluster.workloads.platform.state(ns).maintenance,
      'maintenance on, on the platform',
    );
    expect(world.cluster.workloads.platform.state(ns).maintenanceMessage).toBe(message);
    expect(jobCommands(world)).toContainEqual(['eafix-cli', 'maintenance', 'enable', `--message=${message}`]);
    await runsSettled(world);

    await world.driver.command({ user: 'alice', channel: ops, text: 'maintenance disable' });
    await eventually(
      async () => !world.cluster.workloads.platform.state(ns).maintenance,
      'maintenance off, on the platform',
    );
  });

  it('fails the run, saying so, when the command succeeds but the platform reports otherwise', async () => {
    world.cluster.workloads.behaviours.register({
      argv: ['eafix-cli', 'maintenance', 'enable'],
      behaviour: { stdout: ['accepted', JSON.stringify({ maintenance: true })] },
      times: 1,
    });
    await world.driver.command({ user: 'alice', channel: ops, text: 'maintenance enable --reason "window"' });
    const failed = await eventually(async () => {
      const r = await world.bot.pool.query<{ status: string; error: string | null }>(
        `SELECT status, error FROM runs WHERE action = 'maintenance enable' ORDER BY created_at DESC LIMIT 1`,
      );
      const row = r.rows[0];
      return row && row.status === 'failed' ? row : undefined;
    }, 'the run to fail');
    expect(failed.error).toContain('`eafix-cli status` reports maintenance off in production, not on');
  });
});
