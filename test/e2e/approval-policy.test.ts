import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/config/policy.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import {
  approvalMessageIn,
  approvalStatus,
  ephemeralText,
  jobCommands,
  postedIn,
  requestIdOf,
  resetPlatform,
  runsSettled,
  tradingState,
} from '../support/approvals.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  const policy = await loadPolicy(examplePolicyPath);
  policy.rbac.approvals.requiredApprovers = { 'trading.*': 2 };
  world = await startWorld('approval_policy', { policy });
});
afterAll(async () => {
  await world?.stop();
});

describe('N-of-M approval', () => {
  it('waits for two distinct approvers, none of them the requester', async () => {
    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({ user: 'dave', channel: ops, text: 'trading stop --reason "exchange maintenance"' });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
      description: 'requested',
    });
    const message = await approvalMessageIn(world, ops);
    const id = requestIdOf(message);
    const click = (user: string) =>
      world.driver.clickButton({ user, channel: ops, messageTs: message.ts, actionId: 'approval:approve' });

    await click('alice');
    await eventually(
      async () =>
        (await world.bot.pool.query('SELECT 1 FROM approval_votes WHERE request_id = $1', [id])).rowCount === 1,
      'first vote',
    );
    expect(await approvalStatus(world, id)).toBe('pending');
    const aliceSeen = world.slack.ephemerals('alice').length;
    await click('alice');
    await world.slack.waitFor(() => ephemeralText(world, 'alice', aliceSeen).includes('already approved'), {
      description: 'double vote refused',
    });
    expect(await approvalStatus(world, id)).toBe('pending');

    await click('bob');
    await eventually(async () => (await approvalStatus(world, id)) === 'executed', 'execution');
    await eventually(async () => tradingState(world).state === 'stopped', 'trading stopped on the platform');
    expect(jobCommands(world)).toContainEqual(['eafix-cli', 'trading', 'stop']);
  });
});

describe('break-glass', () => {
  it('runs alone for a break-glass holder, alerts security, and awaits a second person to sign off', async () => {
    await runsSettled(world);
    resetPlatform(world);
    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'trading stop --break-glass --reason "runaway orders, exchange will not answer"',
    });
    await eventually(async () => tradingState(world).state === 'stopped', 'trading stopped without approval');
    const notice = await world.slack.waitFor(
      (emu) => emu.messages('security').find((m) => m.text.includes('BREAK-GLASS')),
      { description: 'security notice' },
    );
    expect(textOf(notice.blocks)).toContain('runaway orders');
    // The result is in_channel: the team sees what happened.
    await world.slack.waitFor(() => postedIn(world, ops, 'trading is now stopped'), {
      description: 'result in channel',
    });
    expect(ephemeralText(world, 'dave', seen)).not.toContain('Approval requested');
    const audit = await world.bot.pool.query(`SELECT outcome FROM audit_log WHERE action = 'break-glass'`);
    expect(audit.rows).toEqual([{ outcome: 'review-required' }]);

    // Review: dave cannot sign off his own use; alice can, once.
    const review = async (user: string) => {
      const before = world.slack.ephemerals(user).length;
      await world.driver.command({ user, channel: ops, text: 'approvals review' });
      const eph = await world.slack.waitFor(
        (emu) =>
          emu
            .ephemerals(user)
            .slice(before)
            .find((e) => JSON.stringify(e.blocks ?? []).includes('breakglass:signoff')),
        { description: 'review list' },
      );
      await world.driver.clickButton({ user, channel: ops, messageTs: eph.ts, actionId: 'breakglass:signoff' });
      return before;
    };
    const aliceBefore = await review('alice');
    await world.slack.waitFor(() => ephemeralText(world, 'alice', aliceBefore).includes('Signed off'), {
      description: 'signed off',
    });
    const reviewed = await world.bot.pool.query('SELECT reviewed_by FROM break_glass_uses');
    expect(reviewed.rows).toEqual([{ reviewed_by: 'U0ALICE' }]);
  });

  it('refuses --break-glass to someone without it', async () => {
    const seen = world.slack.ephemerals('alice').length;
    await world.driver.command({
      user: 'alice',
      channel: ops,
      text: 'trading start --break-glass --reason "I really want to skip review"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'alice', seen).includes('may not use --break-glass'), {
      description: 'refusal',
    });
    expect(ephemeralText(world, 'alice', seen)).toContain('<@U0DAVE>');
  });

  it('refuses a destructive action outside its allowed channel', async () => {
    const seen = world.slack.ephemerals('alice').length;
    await world.driver.command({
      user: 'alice',
      channel: 'eafix-incidents',
      text: 'trading start --reason "from the wrong place"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'alice', seen).includes('may only be used in #eafix-ops'), {
      description: 'channel restriction',
    });
  });

  it('denies a permission with who holds it', async () => {
    const seen = world.slack.ephemerals('carol').length;
    await world.driver.command({ user: 'carol', channel: ops, text: 'trading stop --reason "curious"' });
    await world.slack.waitFor(
      () => ephemeralText(world, 'carol', seen).includes('You need the `trading.stop` permission'),
      { description: 'denial' },
    );
    expect(ephemeralText(world, 'carol', seen)).toContain('<@U0ALICE>');
  });
});

describe('audit', () => {
  it('verify finds a row edited in the database', async () => {
    const ok = await world.driver.command({ user: 'carol', channel: ops, text: 'audit verify' });
    expect(textOf(ok.body)).toContain('Audit chain intact');
    await world.bot.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await world.bot.pool.query(
      `UPDATE audit_log SET user_id = 'U0CAROL' WHERE id = (SELECT min(id) FROM audit_log WHERE action = 'break-glass')`,
    );
    await world.bot.pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    const broken = await world.driver.command({ user: 'carol', channel: ops, text: 'audit verify' });
    expect(textOf(broken.body)).toContain('Audit chain BROKEN');
  });

  it('export uploads the trail as a JSON file', async () => {
    await world.driver.command({ user: 'alice', channel: ops, text: 'audit export --since=1h' });
    const shared = await world.slack.waitFor(
      (emu) => emu.messages(ops).find((m) => (m.files ?? []).some((f) => String(f.name).startsWith('eafix-audit-'))),
      { description: 'uploaded export' },
    );
    expect(shared.files?.length).toBe(1);
  });
});
