import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';

const ops = 'eafix-ops';
const ns = 'eafix-production';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('isolate', { clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 } });
});
afterAll(async () => {
  await world?.stop();
});

describe('security containment', () => {
  it('refuses to scale below the minimum, but isolates to zero with a second person', async () => {
    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'scale auth-service 0 --reason "contain the breach"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('auth-service takes 1–6 replicas'), {
      description: 'bounds refusal',
    });

    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'isolate auth-service --reason "credential stuffing from auth-service"',
    });
    const message = await approvalMessageIn(world, ops);
    expect(textOf(message.blocks)).toContain('isolate eafix-auth-service in production: scale 2 → 0 replicas');
    await world.driver.clickButton({
      user: 'alice',
      channel: ops,
      messageTs: message.ts,
      actionId: 'approval:approve',
    });
    const id = requestIdOf(message);
    await eventually(
      async () =>
        (await world.bot.pool.query(`SELECT 1 FROM runs WHERE approval_id = $1 AND status = 'succeeded'`, [id]))
          .rowCount === 1,
      'isolation run',
    );
    expect(world.cluster.getDeployment(ns, 'eafix-auth-service')?.spec?.replicas).toBe(0);
    await world.cluster.waitFor(() => world.cluster.listPods(ns, 'app=eafix-auth-service').length === 0, {
      description: 'pods gone',
    });
  });
});
