import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, approvalStatus, ephemeralText, requestIdOf, tradingState } from '../support/approvals.ts';
import { PREREQUISITES } from '../../src/handlers/deployment/deploy-input.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('app_home');
});
afterAll(async () => {
  await world?.stop();
});

/** Opens the user's Home tab and waits for the version published after `after` (the view's hash changes each publish). */
async function openHome(user: string) {
  const before = world.slack.homeView(user)?.hash;
  const response = await world.driver.event({ type: 'app_home_opened', user, tab: 'home' });
  expect(response.status).toBe(200);
  return world.slack.waitFor(
    (emu) => {
      const home = emu.homeView(user);
      return home && home.hash !== before ? home : undefined;
    },
    { description: `${user}'s App Home` },
  );
}

describe('App Home', () => {
  it('shows status at a glance and the pending approvals the person may decide, whose buttons work from there', async () => {
    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({ user: 'dave', channel: ops, text: 'trading stop --reason "exchange halted"' });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
      description: 'approval requested',
    });
    const id = requestIdOf(await approvalMessageIn(world, ops));

    const home = await openHome('alice');
    const text = textOf(home.view.blocks);
    expect(home.view.type).toBe('home');
    expect(text).toContain('EAFIX at a glance');
    expect(text).toContain('*production* · *Live colour:* green');
    expect(text).toContain('*Trading:* :large_green_circle: running');
    expect(text).toContain('10/10 deployments healthy');
    expect(text).toContain('Waiting for your approval (1)');
    expect(text).toContain('`/eafix trading stop` requested by <@U0DAVE>');
    expect(text).toContain('*Your recent runs* — none yet.');
    expect(text).toContain('*Open incidents* — none');
    // Every chapter's actions, the new Security Incident Response ones among them.
    expect(text).toContain('*Security Incident Response*: ');
    expect(text).toMatch(/\*Security Incident Response\*: [^\n]*`contacts`, `contacts page`/);
    expect(text).toMatch(/\*Monitoring\*: [^\n]*`digest`/);

    // The requester never sees their own request to decide; a viewer cannot approve trading.
    expect(textOf((await openHome('dave')).view.blocks)).toContain('*Waiting for your approval* — nothing right now.');
    expect(textOf((await openHome('carol')).view.blocks)).toContain('*Waiting for your approval* — nothing right now.');

    await world.driver.clickButton({ user: 'alice', viewId: home.id, actionId: 'approval:approve', value: id });
    await eventually(
      async () => (await approvalStatus(world, id)) === 'executed',
      'the approval clicked on App Home to execute',
    );
    await eventually(async () => tradingState(world).state === 'stopped', 'trading stopped on the platform');

    // Refresh re-publishes: the decided request is gone, trading shows stopped.
    const before = world.slack.homeView('alice')?.hash;
    await world.driver.clickButton({ user: 'alice', viewId: home.id, actionId: 'home:refresh' });
    const refreshed = await world.slack.waitFor(
      (emu) => {
        const view = emu.homeView('alice');
        return view && view.hash !== before ? view : undefined;
      },
      { description: 'the refreshed home' },
    );
    const after = textOf(refreshed.view.blocks);
    expect(after).toContain('*Trading:* :octagonal_sign: stopped');
    expect(after).toContain('*Waiting for your approval* — nothing right now.');
  });

  it('opens the deploy form from the Deploy button for someone who may deploy, acting in the ops channel; tells anyone else by DM', async () => {
    const opsId = world.slack.channelId(ops);
    const home = await openHome('alice');
    await world.driver.clickButton({ user: 'alice', viewId: home.id, actionId: 'home:deploy' });
    const modal = await world.slack.waitFor(
      (emu) => emu.openModals('alice').find((v) => v.view.callback_id === 'deploy:form'),
      { description: 'the deploy form' },
    );
    // The same form as `/eafix deploy`, empty, its outcome bound to the ops channel.
    expect(modal.view.private_metadata).toBe(opsId);
    expect(textOf(modal.view.blocks)).toContain('Production Deployment Process');
    const seen = world.slack.ephemerals('alice', ops).length;
    const after = world.slack.latestMessage(ops)?.ts ?? '0';
    const submitted = await world.driver.submitView({
      user: 'alice',
      viewId: modal.id,
      values: {
        version: { version: '2.9.0' },
        checklist: { checklist: Object.keys(PREREQUISITES) },
        reason: { reason: 'release 2.9 from the App Home' },
      },
    });
    expect(submitted.outcome).toBe('closed');
    // The plan and its approval are in the ops channel, the requester told there.
    await world.slack.waitFor(
      () =>
        world.slack
          .ephemerals('alice', ops)
          .slice(seen)
          .some((e) => e.text.includes('Approval requested')) || undefined,
      { description: 'approval requested in the ops channel' },
    );
    const approval = await approvalMessageIn(world, ops, after);
    expect(textOf(approval.blocks)).toContain('registry.eafix.local/eafix/gateway:2.9.0');
    const requested = await world.bot.pool.query<{ action: string; channel_id: string; requester: string }>(
      'SELECT action, channel_id, requester FROM approval_requests WHERE id = $1',
      [requestIdOf(approval)],
    );
    expect(requested.rows).toEqual([{ action: 'deploy', channel_id: opsId, requester: 'U0ALICE' }]);
    // Withdrawn, so the other tests' homes are as before.
    await world.driver.clickButton({
      user: 'alice',
      channel: ops,
      messageTs: approval.ts,
      actionId: 'approval:cancel',
    });
    await eventually(async () => (await approvalStatus(world, requestIdOf(approval))) === 'cancelled', 'withdrawn');

    // carol may only look: no form, told why by DM (she need not be in the ops channel), and audited.
    const carolHome = await openHome('carol');
    await world.driver.clickButton({ user: 'carol', viewId: carolHome.id, actionId: 'home:deploy' });
    const told = await world.slack.waitFor(
      () => {
        const dm = world.slack.state.imChannelFor(world.slack.userId('carol'));
        return world.slack.messages(dm.id).find((m) => m.text.includes('deploy.run'));
      },
      { description: "carol's DM" },
    );
    expect(told.text).toContain('You need the `deploy.run` permission');
    expect(world.slack.openModals('carol')).toEqual([]);
    // Read-only, so audited just after its answer.
    const refused = await eventually(async () => {
      const { rows } = await world.bot.pool.query<{ outcome: string; channel_id: string }>(
        `SELECT outcome, channel_id FROM audit_log WHERE action = 'deploy-form' AND user_id = 'U0CAROL'`,
      );
      return rows.length ? rows : undefined;
    }, 'the refusal audited');
    expect(refused).toEqual([{ outcome: 'rejected:permission_denied', channel_id: opsId }]);
  });
});
