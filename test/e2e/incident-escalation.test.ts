import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { pageKey } from '../../src/handlers/incidents/incident-timing.ts';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { acknowledgeAsBob, declare, incidentsOf, messagesWith, policyWith } from '../support/incidents.ts';

let world: TestWorld;
let replica: RunningBot;

beforeAll(async () => {
  // Short delays stand in for the runbook's 15 and 30 minutes. Level 3 comes well after level 2 so that
  // on a busy machine level 2 (and an acknowledgement after it) still lands first, as in real life.
  const policy = await policyWith({
    escalation: { level2After: 300, level3After: 15_000, seniorEngineering: '@senior-eng' },
  });
  world = await startWorld('incident_escalation', { policy });
  // A second bot on the same database and Redis prefix: two timer workers take jobs from one queue.
  replica = await startBot({
    env: world.env,
    policy: world.policy,
    logger: createLogger({ level: 'silent' }),
    role: 'worker',
    host: '127.0.0.1',
  });
});
afterAll(async () => {
  await replica?.stop();
  await world?.stop();
});

describe('escalation of an unacknowledged incident', { timeout: 180_000 }, () => {
  it('pages the on-call once at level 2 and calls senior engineering once at level 3, with two workers running', async () => {
    const incident = await declare(world, { title: 'Nobody is looking' });
    // The replica schedules the same timers too (a retried set-up): one job per level all the same.
    await replica.deps.incidents!.deps.timers.schedule({ incidentId: incident.id, kind: 'escalate', n: 2 }, 300);
    await replica.deps.incidents!.deps.timers.schedule({ incidentId: incident.id, kind: 'escalate', n: 3 }, 15_000);

    const page = await world.pagerduty.waitFor(
      (e) => e.dedup_key === pageKey(incident.id) && e.event_action === 'trigger',
      { timeoutMs: 60_000 },
    );
    expect(page.outcome).toBe('opened');
    expect(page.payload?.summary).toContain(incident.id);
    expect(page.payload?.severity).toBe('error');
    const room = incident.channelId!;
    await world.slack.waitFor(() => messagesWith(world, room, 'Escalation level 3').length > 0, {
      description: 'level 3',
      timeoutMs: 60_000,
    });
    expect(messagesWith(world, room, 'Escalation level 3')[0]!.text).toContain('<@U0DAVE>');
    // Senior engineering (@senior-eng = dave) is brought into the war room.
    expect(world.slack.state.channels.get(room)?.members).toContain('U0DAVE');

    expect(
      world.pagerduty.events.filter((e) => e.dedup_key === pageKey(incident.id) && e.event_action === 'trigger'),
    ).toHaveLength(1);
    // Two workers: the level 2 post may land after level 3's on a busy machine; wait for it, then count.
    await world.slack.waitFor(() => messagesWith(world, room, 'Escalation level 2').length > 0, {
      description: 'level 2',
      timeoutMs: 60_000,
    });
    expect(messagesWith(world, room, 'Escalation level 2')).toHaveLength(1);
    expect(messagesWith(world, room, 'Escalation level 3')).toHaveLength(1);
    const escalations = (await incidentsOf(world).deps.store.events(incident.id)).filter((e) => e.kind === 'escalated');
    expect(escalations.map((e) => e.data?.level)).toEqual([2, 3]);

    // Acknowledging now acknowledges the page too.
    await world.driver.clickButton({
      user: 'bob',
      channel: room,
      messageTs: incident.templateTs!,
      actionId: 'incident:ack',
    });
    const ack = await world.pagerduty.waitFor(
      (e) => e.dedup_key === pageKey(incident.id) && e.event_action === 'acknowledge',
    );
    expect(ack.outcome).toBe('acknowledged');
    await eventually(
      async () => (await incidentsOf(world).deps.store.get(incident.id))?.acknowledgedBy === 'U0BOB',
      'acknowledged',
    );
  });

  it('stops escalating once acknowledged: no level 3 after an acknowledged level 2', async () => {
    const incident = await declare(world, { title: 'Acknowledged after the page' });
    await world.pagerduty.waitFor((e) => e.dedup_key === pageKey(incident.id) && e.event_action === 'trigger', {
      timeoutMs: 60_000,
    });
    await acknowledgeAsBob(world, incident);
    // A marker declared afterwards reaching level 3 means this incident's level 3 is past due as well.
    const marker = await declare(world, { title: 'Unacknowledged marker' });
    await world.slack.waitFor(() => messagesWith(world, marker.channelId!, 'Escalation level 3').length > 0, {
      description: 'marker level 3',
      timeoutMs: 60_000,
    });
    expect(messagesWith(world, incident.channelId!, 'Escalation level 3')).toHaveLength(0);
    expect(
      world.pagerduty.events.filter((e) => e.dedup_key === pageKey(incident.id) && e.event_action === 'trigger'),
    ).toHaveLength(1);
    expect((await incidentsOf(world).deps.store.get(incident.id))?.escalationLevel).toBe(2);
  });
});
