import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import {
  approvalMessageIn,
  approvalStatus,
  ephemeralText,
  jobCommands,
  requestIdOf,
  resetPlatform,
  reviewList,
  runsSettled,
  tradingState,
} from '../support/approvals.ts';
import { declare } from '../support/incidents.ts';
import { auditRows, clickPayload, sendPayload } from '../support/slack-security.ts';
import type { EmuMessage } from '@eafix/sandbox/slack';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('slack_bindings');
});
afterAll(async () => {
  await world?.stop();
});
beforeEach(async () => {
  await runsSettled(world);
  resetPlatform(world);
});

const executions = async (id: string) =>
  (
    await world.bot.pool.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'execute' AND arguments->>'approval' = $1`,
      [id],
    )
  ).rows[0].n as number;

async function requestStop(reason: string) {
  const after = world.slack.latestMessage(ops)?.ts ?? '0';
  const seen = world.slack.ephemerals('dave').length;
  await world.driver.command({ user: 'dave', channel: ops, text: `trading stop --graceful --reason "${reason}"` });
  await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
    description: 'approval requested',
  });
  // A snapshot: what the clicker's client shows, even after the bot edits the message.
  const message = structuredClone(await approvalMessageIn(world, ops, after));
  return { message, id: requestIdOf(message) };
}

/** Bob clicks Approve on what his client shows; returns what he was told. */
async function bobApproves(
  message: EmuMessage,
  overrides: { value?: string; blockId?: string } = {},
  expectNotice = 'Nothing was done',
) {
  const seen = world.slack.ephemerals('bob').length;
  const response = await sendPayload(
    world,
    clickPayload(world, { user: 'bob', channel: ops, message, actionId: 'approval:approve', ...overrides }),
  );
  expect(response.status).toBe(200);
  return world.slack.waitFor(
    () => {
      const text = ephemeralText(world, 'bob', seen);
      return text.includes(expectNotice) ? text : undefined;
    },
    { description: 'what bob is told' },
  );
}

describe('approval buttons are bound to the message and plan they were shown with', () => {
  it('refuses an Approve click on message X carrying request Y: neither executes, the log says why', async () => {
    const x = await requestStop('request X');
    const y = await requestStop('request Y');
    const told = await bobApproves(x.message, { value: y.id });
    expect(told).toContain('does not match the approval request shown');
    const refused = (await auditRows(world, 'approval.click-refused')).at(-1);
    expect(refused).toMatchObject({ user_id: 'U0BOB', arguments: { approval: y.id } });
    expect(String(refused?.detail)).toContain(x.id);
    expect([await approvalStatus(world, x.id), await approvalStatus(world, y.id)]).toEqual(['pending', 'pending']);
    expect(tradingState(world)).toEqual({ state: 'running' });
  });

  it('refuses a click whose block names another plan than the request’s', async () => {
    const x = await requestStop('request with its plan');
    const told = await bobApproves(x.message, { blockId: `approval:${x.id}:0000000000000000` });
    expect(told).toContain('does not match');
    expect(String((await auditRows(world, 'approval.click-refused')).at(-1)?.detail)).toContain('plan shown');
    expect(await approvalStatus(world, x.id)).toBe('pending');
    expect(await executions(x.id)).toBe(0);
  });

  it('refuses a click on a stale approval message after the plan changed, and on that message with the new request’s id', async () => {
    const stale = await requestStop('before the world changed');
    // Someone stopped trading on the platform meanwhile: the recomputed plan differs from the one shown.
    world.cluster.workloads.platform.update('eafix-production', (p) => {
      p.tradingEnabled = false;
    });
    const jobsBefore = jobCommands(world).length;
    const after = world.slack.latestMessage(ops)?.ts ?? '0';
    await world.driver.clickButton({
      user: 'alice',
      channel: ops,
      messageTs: stale.message.ts,
      actionId: 'approval:approve',
    });
    await eventually(async () => (await approvalStatus(world, stale.id)) === 'superseded', 'superseded');
    const fresh = requestIdOf(await approvalMessageIn(world, ops, after));

    // Bob's client still shows the first message with its buttons.
    const told = await bobApproves(stale.message, {}, 'superseded');
    expect(told).toContain('This request is superseded');
    expect((await auditRows(world, 'approval.click-refused')).at(-1)).toMatchObject({
      arguments: { approval: stale.id },
      detail: 'not pending: superseded',
    });
    const tampered = await bobApproves(stale.message, { value: fresh });
    expect(tampered).toContain('does not match');
    expect(await approvalStatus(world, fresh)).toBe('pending');
    expect([await executions(stale.id), await executions(fresh)]).toEqual([0, 0]);
    expect(jobCommands(world)).toHaveLength(jobsBefore);
  });

  it('binds App Home clicks to the approvals the view shows', async () => {
    const shown = await requestStop('shown on the home tab');
    const before = world.slack.homeView('bob')?.hash;
    await world.driver.event({ type: 'app_home_opened', user: 'bob', tab: 'home' });
    const home = await world.slack.waitFor(
      (emu) => {
        const view = emu.homeView('bob');
        return view && view.hash !== before && JSON.stringify(view.view.blocks).includes(shown.id) ? view : undefined;
      },
      { description: "bob's App Home" },
    );
    const other = await requestStop('not shown on the home tab');
    const blocks = home.view.blocks as Array<{ block_id?: string }>;
    const payload = {
      ...clickPayload(world, {
        user: 'bob',
        channel: ops,
        message: { ts: '1700000000.000100', blocks: home.view.blocks as never },
        actionId: 'approval:approve',
        value: other.id,
      }),
      container: { type: 'view', view_id: home.id },
      view: { ...home.view, id: home.id, type: 'home', blocks },
    };
    expect((await sendPayload(world, payload)).status).toBe(200);
    const refused = await eventually(
      async () =>
        (await auditRows(world, 'approval.click-refused')).find(
          (r) => (r.arguments as { approval?: string }).approval === other.id,
        ),
      'the refusal row',
    );
    expect(String(refused.detail)).toContain(`is not request ${other.id}'s`);
    expect(await approvalStatus(world, other.id)).toBe('pending');
  });

  it('still executes an untampered click on the current message (the control)', async () => {
    const x = await requestStop('the control');
    expect(
      (
        await sendPayload(
          world,
          clickPayload(world, { user: 'bob', channel: ops, message: x.message, actionId: 'approval:approve' }),
        )
      ).status,
    ).toBe(200);
    await eventually(async () => (await approvalStatus(world, x.id)) === 'executed', 'execution');
    expect(await executions(x.id)).toBe(1);
  });
});

describe('incident and break-glass buttons are bound to their message', () => {
  it('refuses an incident button whose value names another incident than the war room it is in', async () => {
    const first = await declare(world, { title: 'First outage' });
    const second = await declare(world, { title: 'Second outage' });
    const template = world.slack.messages(first.channelId!).find((m) => m.ts === first.templateTs)!;
    const before = (await auditRows(world, 'incident.click-refused')).length;
    const response = await sendPayload(
      world,
      clickPayload(world, {
        user: 'bob',
        channel: world.slack.state.channels.get(first.channelId!)!.name,
        message: template,
        actionId: 'incident:ack',
        value: second.id,
      }),
    );
    expect(response.status).toBe(200);
    const rows = await eventually(async () => {
      const found = (await auditRows(world, 'incident.click-refused')).slice(before);
      return found.length ? found : undefined;
    }, 'the refusal row');
    expect(rows[0]).toMatchObject({ user_id: 'U0BOB', arguments: { incident: second.id } });
    const acked = await world.bot.pool.query(
      'SELECT id FROM incidents WHERE acknowledged_by IS NOT NULL AND id IN ($1, $2)',
      [first.id, second.id],
    );
    expect(acked.rows).toEqual([]);
  });

  it('refuses a break-glass sign-off whose button value names another use than its block', async () => {
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'trading stop --reason "first emergency use for this test" --break-glass',
    });
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'trading start --reason "second emergency use for this test" --break-glass',
    });
    const uses = await eventually(async () => {
      const rows = (await world.bot.pool.query('SELECT id FROM break_glass_uses WHERE reviewed_by IS NULL ORDER BY at'))
        .rows;
      return rows.length >= 2 ? rows.map((r) => r.id as string) : undefined;
    }, 'two break-glass uses');
    const list = await reviewList(world, 'alice', ops, uses[0]!);
    const firstBlock = (list.blocks as Array<{ block_id?: string }>).find((b) =>
      b.block_id?.includes(uses[0]!),
    )!.block_id!;
    const response = await sendPayload(
      world,
      clickPayload(world, {
        user: 'alice',
        channel: ops,
        message: list,
        actionId: 'breakglass:signoff',
        blockId: firstBlock,
        value: uses[1]!,
        ephemeral: true,
      }),
    );
    expect(response.status).toBe(200);
    const rows = await eventually(async () => {
      const found = await auditRows(world, 'break-glass.click-refused');
      return found.length ? found : undefined;
    }, 'the refusal row');
    expect(rows.at(-1)).toMatchObject({
      user_id: 'U0ALICE',
      arguments: { use: uses[1] },
      outcome: 'rejected:not_bound',
    });
    const reviewed = await world.bot.pool.query(
      'SELECT count(*)::int AS n FROM break_glass_uses WHERE reviewed_by IS NOT NULL',
    );
    expect(reviewed.rows[0].n).toBe(0);
  });
});
