import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, approvalStatus, ephemeralText, requestIdOf, tradingState } from '../support/approvals.ts';

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
});
