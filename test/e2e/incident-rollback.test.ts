import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';
import { incidentTitled, messagesWith } from '../support/incidents.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('incident_rollback', { clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 } });
});
afterAll(async () => {
  await world?.stop();
});

describe("rollback's last step", () => {
  it('opens a real incident with its war room', async () => {
    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'rollback --reason "errors after the green deploy"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
      description: 'approval requested',
    });
    const message = await approvalMessageIn(world, ops);
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    const approval = requestIdOf(message);
    const run = await eventually(
      async () => {
        const result = await world.bot.pool.query(`SELECT id, status FROM runs WHERE approval_id = $1`, [approval]);
        const row = result.rows[0] as { id: string; status: string } | undefined;
        return row && ['succeeded', 'failed', 'cancelled'].includes(row.status) ? row : undefined;
      },
      'the rollback run to finish',
      30_000,
    );
    expect(run.status).toBe('succeeded');

    const incident = await incidentTitled(world, 'Emergency rollback of production');
    expect(incident).toMatchObject({ severity: 'high', type: 'ops', requestedBy: 'U0DAVE' });
    expect(incident.description).toContain(run.id);
    expect(world.slack.state.pins.get(incident.channelId!)).toHaveLength(1);
    expect(messagesWith(world, world.slack.channelId('eafix-incidents'), incident.id)).toHaveLength(1);
    const step = await world.bot.pool.query(
      `SELECT summary FROM run_steps WHERE run_id = $1 AND step_id = 'incident'`,
      [run.id],
    );
    expect(step.rows[0]?.summary).toContain(incident.id);
  });
});
