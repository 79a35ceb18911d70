/**
 * A paused run's decision buttons on the one invocation path (real PostgreSQL, Redis and the emulators):
 * a click from another workspace and a replayed click are refused before anything is decided, a click
 * bound to another message is refused and audited, and the one true click decides once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/config/policy.ts';
import { maintenancePolicySchema } from '../../src/config/maintenance-policy.ts';
import { invoke } from '../../src/handlers/core/invoke.ts';
import { createLogger } from '../../src/logger.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';
import { auditRows } from '../support/slack-security.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  const policy = await loadPolicy(examplePolicyPath);
  policy.maintenance = maintenancePolicySchema.parse({
    windows: {
      // Ten minutes: its vacuum (about 20 minutes) cannot fit, so the run pauses and asks.
      short: { cron: '0 3 1 1 *', duration: '10m', steps: ['maintenance-on', 'vacuum', 'maintenance-off'] },
    },
  });
  world = await startWorld('run_decision_spine', {
    policy,
    clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 },
  });
});
afterAll(async () => {
  await world?.stop();
});

const pauseOf = async (runId: string) =>
  (
    await world.bot.pool.query<{ id: string; option_id: string | null; decided_by: string | null }>(
      'SELECT id, option_id, decided_by FROM run_pauses WHERE run_id = $1',
      [runId],
    )
  ).rows[0]!;
const spineRows = async (pauseId: string) =>
  (
    await world.bot.pool.query<{ user_id: string; team_id: string; outcome: string }>(
      `SELECT user_id, team_id, outcome FROM audit_log WHERE action = 'runs decide' AND arguments->>'pause' = $1 ORDER BY id`,
      [pauseId],
    )
  ).rows;

/** An overrunning window, approved: its run pauses with Continue / Stop and restore service. */
async function pausedRun() {
  const seen = world.slack.ephemerals('alice').length;
  await world.driver.command({
    user: 'alice',
    channel: ops,
    text: 'maintenance run short --now --reason "spine drill"',
  });
  await world.slack.waitFor(() => ephemeralText(world, 'alice', seen).includes('Approval requested') || undefined, {
    description: 'approval requested',
  });
  const approval = await approvalMessageIn(world, ops);
  await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: approval.ts, actionId: 'approval:approve' });
  const question = await world.slack.waitFor(
    () => world.slack.thread(ops, approval.ts).find((m) => textOf(m.blocks).includes('Stop and restore service')),
    { description: 'the overrun question in the thread' },
  );
  const runId = (
    await world.bot.pool.query<{ id: string }>('SELECT id FROM runs WHERE approval_id = $1', [requestIdOf(approval)])
  ).rows[0]!.id;
  return { approval, question, runId, pause: await pauseOf(runId) };
}

describe('run decision buttons through invoke()', () => {
  it('refuses a click from another workspace, at the door and in the action; a click off its message; decides once', async () => {
    const { question, runId, pause } = await pausedRun();
    const channel = world.slack.channelId(ops);
    const blockId = `run-pause:${pause.id}`;

    // Forged from another workspace: refused before routing, audited, nothing decided.
    const payload = {
      type: 'block_actions',
      user: { id: 'U0BOB', username: 'bob', name: 'bob', team_id: 'T0OTHER' },
      team: { id: 'T0OTHER', domain: 'other' },
      api_app_id: world.slack.appId,
      trigger_id: world.slack.issueTriggerId('U0BOB'),
      container: { type: 'message', message_ts: question.ts, channel_id: channel, is_ephemeral: false },
      channel: { id: channel, name: ops },
      actions: [
        { action_id: 'run:decide:stop-restore', block_id: blockId, value: pause.id, type: 'button', action_ts: '1' },
      ],
      response_url: world.slack.issueResponseUrl({ channel, user: 'U0BOB' }),
    };
    const sent = await world.driver.rawPost({
      body: `payload=${encodeURIComponent(JSON.stringify(payload))}`,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(sent.status).toBe(200);
    const foreign = await world.bot.pool.query(
      `SELECT outcome FROM audit_log WHERE action = 'slack.foreign-installation' AND team_id = 'T0OTHER'`,
    );
    expect(foreign.rows).toEqual([{ outcome: 'rejected:foreign_installation' }]);

    // Past the door (or a run of another workspace): the action knows no such pause for that team.
    const asInvoked = (teamId: string, ts: string, requestId: string) =>
      invoke(
        {
          command: { actionId: 'runs decide', input: { pause: pause.id, option: 'stop-restore' } },
          invoker: { userId: 'U0BOB', teamId, channelId: channel },
          requestId,
          logger: createLogger({ level: 'silent' }),
          click: { kind: 'message', channel, ts, blockId },
        },
        { deps: world.bot.deps, approvals: world.bot.approvalService },
      );
    const otherTeam = await asInvoked('T0OTHER', question.ts, 'req_foreign_decision');
    expect(otherTeam.outcome).toBe('rejected:run_pause_not_found');
    expect(otherTeam.reply.text).toContain('stale or altered');
    // The right workspace, but a click on another message than the question: refused as not bound.
    const offMessage = await asInvoked(world.slack.teamId, '1.000001', 'req_off_message');
    expect(offMessage.outcome).toBe('rejected:run_pause_not_bound');
    expect(await spineRows(pause.id)).toEqual([
      { user_id: 'U0BOB', team_id: 'T0OTHER', outcome: 'started' },
      { user_id: 'U0BOB', team_id: 'T0OTHER', outcome: 'rejected:run_pause_not_found' },
      { user_id: 'U0BOB', team_id: world.slack.teamId, outcome: 'started' },
      { user_id: 'U0BOB', team_id: world.slack.teamId, outcome: 'rejected:run_pause_not_bound' },
    ]);
    expect(await pauseOf(runId)).toMatchObject({ option_id: null, decided_by: null });

    // The real click decides; its replay is refused at the door and decides nothing more.
    const bobSeen = world.slack.ephemerals('bob').length;
    await world.driver.clickButton({
      user: 'bob',
      channel: ops,
      messageTs: question.ts,
      label: 'Stop and restore service',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'bob', bobSeen).includes('Recorded') || undefined, {
      description: 'the decision recorded',
    });
    const replayed = (await auditRows(world, 'slack.replay-refused')).length;
    expect((await world.driver.replayLast()).status).toBe(200);
    const refused = await eventually(async () => {
      const rows = (await auditRows(world, 'slack.replay-refused')).slice(replayed);
      return rows.length ? rows : undefined;
    }, 'the replay refused');
    expect(refused).toMatchObject([
      { user_id: 'U0BOB', arguments: { kind: 'block_actions', label: 'run:decide:stop-restore' } },
    ]);
    expect(await pauseOf(runId)).toMatchObject({ option_id: 'stop-restore', decided_by: 'U0BOB' });
    const decisions = await world.bot.pool.query<{ outcome: string }>(
      `SELECT outcome FROM audit_log WHERE action = 'run.decide' AND arguments->>'pause' = $1 ORDER BY id`,
      [pause.id],
    );
    expect(decisions.rows.map((r) => r.outcome)).toEqual(['invalid', 'invalid', 'ok']);
    expect((await spineRows(pause.id)).slice(4).map((r) => r.outcome)).toEqual(['started', 'ok']);
    await eventually(async () => {
      const status = (await world.bot.pool.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [runId]))
        .rows[0]?.status;
      return status === 'failed' || undefined;
    }, 'the stopped run to end');
  });
});
