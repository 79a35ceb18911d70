import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signSlackRequest } from '@eafix/sandbox/slack';
import { SANDBOX_SIGNING_SECRET } from '@eafix/sandbox/sandbox-world';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import {
  approvalMessageIn,
  approvalStatus,
  ephemeralText,
  requestIdOf,
  resetPlatform,
  runsSettled,
  tradingState,
} from '../support/approvals.ts';
import { auditRows, commandFields, recordingLogger, sendForm, trouble } from '../support/slack-security.ts';

const ops = 'eafix-ops';
const recorder = recordingLogger();
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('slack_security', { logger: recorder.logger });
});
afterAll(async () => {
  await world?.stop();
});
beforeEach(async () => {
  await runsSettled(world);
  resetPlatform(world);
});

const breakGlassUses = async () =>
  (await world.bot.pool.query('SELECT count(*)::int AS n FROM break_glass_uses')).rows[0].n as number;
const executions = async (id: string) =>
  (
    await world.bot.pool.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'execute' AND arguments->>'approval' = $1`,
      [id],
    )
  ).rows[0].n as number;
const breakGlassStop = 'trading stop --reason "security test" --break-glass';

async function requestStop(user = 'dave') {
  const after = world.slack.latestMessage(ops)?.ts ?? '0';
  const seen = world.slack.ephemerals(user).length;
  await world.driver.command({ user, channel: ops, text: 'trading stop --graceful --reason "replay test"' });
  await world.slack.waitFor(() => ephemeralText(world, user, seen).includes('Approval requested'), {
    description: 'approval requested',
  });
  const message = await approvalMessageIn(world, ops, after);
  return { message, id: requestIdOf(message) };
}

describe('replays: every signed request is taken once', () => {
  it('refuses a replayed slash command: a break-glass stop runs once, the replay is audited and told', async () => {
    await world.driver.command({ user: 'dave', channel: ops, text: breakGlassStop });
    await eventually(async () => (await breakGlassUses()) === 1, 'the break-glass use');
    // The use is recorded before its run exists: wait for the stop itself, or the next test's reset of the
    // platform can come first and this stop land in the middle of the next test (its plan then superseded).
    await eventually(async () => tradingState(world).state === 'stopped' || undefined, 'the break-glass stop');
    const refusedBefore = (await auditRows(world, 'slack.replay-refused')).length;

    const replay = await world.driver.replayLast();
    expect(replay.status).toBe(200);
    expect(textOf(replay.body)).toContain('already received once');
    const refused = (await auditRows(world, 'slack.replay-refused')).slice(refusedBefore);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      user_id: 'U0DAVE',
      outcome: 'rejected:replay',
      arguments: { kind: 'command', label: '/eafix' },
    });
    expect(await breakGlassUses()).toBe(1);
  });

  it('refuses a replayed Approve click: the approved plan executes once', async () => {
    const { message, id } = await requestStop();
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    await eventually(async () => (await approvalStatus(world, id)) === 'executed', 'execution');

    const replay = await world.driver.replayLast();
    expect(replay.status).toBe(200);
    const refused = (await auditRows(world, 'slack.replay-refused')).at(-1);
    expect(refused).toMatchObject({
      user_id: 'U0BOB',
      arguments: { kind: 'block_actions', label: 'approval:approve' },
    });
    expect(await executions(id)).toBe(1);
  });

  it('refuses a replayed view submission: the rejection is decided once', async () => {
    const { message, id } = await requestStop();
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:reject' });
    const modal = await world.slack.waitFor((emu) => emu.openModals('U0BOB').at(-1), { description: 'reject modal' });
    await world.driver.submitView({
      user: 'bob',
      viewId: modal.id,
      values: { reason: { value: 'Not during market hours' } },
    });
    await eventually(async () => (await approvalStatus(world, id)) === 'rejected', 'rejection');
    const decisions = async () =>
      (
        await world.bot.pool.query(
          `SELECT count(*)::int AS n FROM audit_log WHERE action = 'approval.rejected' AND arguments->>'approval' = $1`,
          [id],
        )
      ).rows[0].n as number;
    // The decision's audit row follows the decision itself: wait for it before replaying.
    await eventually(async () => (await decisions()) === 1 || undefined, 'the rejection audited');

    expect((await world.driver.replayLast()).status).toBe(200);
    expect((await auditRows(world, 'slack.replay-refused')).at(-1)).toMatchObject({
      arguments: { kind: 'view_submission', label: 'view:approval:reject-reason' },
    });
    expect(await decisions()).toBe(1);
  });

  it('refuses a replayed event with an audit row, and acknowledges Slack’s own retry quietly', async () => {
    const publishes = () => world.slack.state.calls.filter((c) => c.method === 'views.publish').length;
    const sent = await world.driver.event({ type: 'app_home_opened', user: 'alice', tab: 'home' });
    await world.slack.waitFor(() => publishes() > 0, { description: 'home published' });
    const published = publishes();
    const refusedBefore = (await auditRows(world, 'slack.replay-refused')).length;

    expect((await world.driver.replayLast()).status).toBe(200);
    expect((await auditRows(world, 'slack.replay-refused')).slice(refusedBefore)).toMatchObject([
      { arguments: { kind: 'event', label: 'event:app_home_opened' } },
    ]);

    const retry = await world.driver.event(
      { type: 'app_home_opened', user: 'alice', tab: 'home' },
      { eventId: sent.eventId, retryNum: 1, retryReason: 'http_timeout' },
    );
    expect(retry.status).toBe(200);
    expect(retry.headers['x-slack-no-retry']).toBe('1');
    expect(await auditRows(world, 'slack.replay-refused')).toHaveLength(refusedBefore + 1);
    expect(publishes()).toBe(published);
  });
});

describe('one installation: other workspaces, organisations and apps are refused before routing', () => {
  it.each([
    ['team', { team_id: 'T0OTHER' }, 'team T0OTHER'],
    ['enterprise', { enterprise_id: 'E0OTHER' }, 'enterprise E0OTHER'],
    ['app', { api_app_id: 'A0OTHER' }, 'app A0OTHER'],
  ])(
    'refuses a command from another %s: nothing runs, an audit row says why, the sender is told',
    async (_what, overrides, why) => {
      const before = (await auditRows(world, 'slack.foreign-installation')).length;
      const response = await sendForm(world, commandFields(world, 'dave', ops, breakGlassStop, overrides));
      expect(response.status).toBe(200);
      expect(textOf(response.body)).toContain('does not serve your workspace');
      const rows = (await auditRows(world, 'slack.foreign-installation')).slice(before);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ user_id: 'U0DAVE', outcome: 'rejected:foreign_installation' });
      expect(String(rows[0]!.detail)).toContain(why);
      expect(tradingState(world)).toEqual({ state: 'running' });
    },
  );

  it('takes the same command from this installation (the control for the refusals above)', async () => {
    const uses = await breakGlassUses();
    const response = await sendForm(world, commandFields(world, 'dave', ops, breakGlassStop));
    expect(response.status).toBe(200);
    await eventually(async () => (await breakGlassUses()) === uses + 1, 'the break-glass use');
    await eventually(async () => tradingState(world).state === 'stopped', 'trading stopped on the platform');
  });

  it('records the team on approvals, incidents and runs', async () => {
    const { id } = await requestStop();
    const row = await world.bot.pool.query('SELECT team_id FROM approval_requests WHERE id = $1', [id]);
    expect(row.rows[0].team_id).toBe(world.slack.teamId);
    for (const table of ['incidents', 'runs']) {
      const teams = await world.bot.pool.query(`SELECT DISTINCT team_id FROM ${table}`);
      expect(teams.rows.every((r) => r.team_id === world.slack.teamId)).toBe(true);
    }
  });
});

describe('signatures: anything not signed now, by Slack, for exactly this body is refused', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const body = () => new URLSearchParams(commandFields(world, 'dave', ops, breakGlassStop)).toString();
  const form = 'application/x-www-form-urlencoded';

  it.each([
    ['a missing timestamp header', () => ({ body: body(), timestamp: null }), 'rejected:missing_headers'],
    ['a missing signature header', () => ({ body: body(), signature: null }), 'rejected:missing_headers'],
    [
      'a timestamp more than 5 minutes old',
      () => ({ body: body(), timestamp: now() - 301 }),
      'rejected:stale_timestamp',
    ],
    [
      'a timestamp more than 5 minutes ahead',
      () => ({ body: body(), timestamp: now() + 301 }),
      'rejected:stale_timestamp',
    ],
    [
      'a body changed after signing',
      () => {
        const ts = now();
        const signed = body();
        return {
          body: signed.replace('security+test', 'security+tset'),
          timestamp: ts,
          signature: signSlackRequest(SANDBOX_SIGNING_SECRET, ts, signed),
        };
      },
      'rejected:bad_signature',
    ],
    [
      'a wrong version prefix',
      () => {
        const ts = now();
        const signed = body();
        return {
          body: signed,
          timestamp: ts,
          signature: signSlackRequest(SANDBOX_SIGNING_SECRET, ts, signed).replace(/^v0=/, 'v1='),
        };
      },
      'rejected:bad_signature',
    ],
  ])('refuses %s with 401 and an audit row; nothing runs', async (_case, request, outcome) => {
    const uses = await breakGlassUses();
    const before = (await auditRows(world, 'slack.signature-refused')).length;
    const response = await world.driver.rawPost({ ...request(), contentType: form });
    expect(response.status).toBe(401);
    expect((await auditRows(world, 'slack.signature-refused')).slice(before)).toMatchObject([{ outcome }]);
    expect(await breakGlassUses()).toBe(uses);
    expect(tradingState(world)).toEqual({ state: 'running' });
  });

  it('never needed the safety-net ack or threw in a listener', () => {
    expect(trouble(recorder.lines)).toEqual([]);
  });
});
