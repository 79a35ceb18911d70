import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageKey } from '../../src/handlers/incidents/incident-timing.ts';
import type { Incident } from '../../src/handlers/incidents/incident-types.ts';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { acknowledgeAsBob, bothLevelsAnnounced, declare, incidentsOf, policyWith } from '../support/incidents.ts';

let world: TestWorld;

beforeAll(async () => {
  // The policy's escalations are an hour and two away: only the timers the test fires by hand run.
  world = await startWorld('incident_escalation_order', { policy: await policyWith({}) });
});
afterAll(async () => {
  await world?.stop();
});

const pagesFor = (incident: Incident) =>
  world.pagerduty.events.filter((e) => e.dedup_key === pageKey(incident.id) && e.event_action === 'trigger');

async function levelsAnnounced(incident: Incident): Promise<unknown[]> {
  const events = await incidentsOf(world).deps.store.events(incident.id);
  return events.filter((e) => e.kind === 'escalated').map((e) => e.data?.level);
}

const fire = (incident: Incident, level: number) =>
  incidentsOf(world).onTimer({ incidentId: incident.id, kind: 'escalate', n: level });

describe('escalation levels are never skipped', { timeout: 120_000 }, () => {
  it('pages the on-call before calling senior engineering when the level-2 timer was lost', async () => {
    // Redis lost the level-2 job (it restarted while the timers were being re-created); level 3's fires.
    const incident = await declare(world, { title: 'Level two went missing' });
    await fire(incident, 3);

    expect(pagesFor(incident)).toHaveLength(1);
    expect(await levelsAnnounced(incident)).toEqual([2, 3]);
    const room = incident.channelId!;
    await bothLevelsAnnounced(world, room);
    const texts = world.slack.messages(room).map((m) => m.text ?? '');
    expect(texts.findIndex((t) => t.includes('Escalation level 2'))).toBeLessThan(
      texts.findIndex((t) => t.includes('Escalation level 3')),
    );

    // The lost level-2 job turning up late changes nothing.
    await fire(incident, 2);
    expect(pagesFor(incident)).toHaveLength(1);
    expect(await levelsAnnounced(incident)).toEqual([2, 3]);
  });

  it('pages once when both levels fire at the same moment', async () => {
    const incident = await declare(world, { title: 'Both levels at once' });
    await Promise.all([fire(incident, 3), fire(incident, 2), fire(incident, 3)]);

    expect(pagesFor(incident)).toHaveLength(1);
    expect(await levelsAnnounced(incident)).toEqual([2, 3]);
  });

  it('pages after a restart when a level was raised but its page never went out', async () => {
    // A level-2 job raised the incident's level, then its process died before paging, and Redis lost the job.
    const incident = await declare(world, { title: 'Raised, never paged' });
    const { store, timers } = incidentsOf(world).deps;
    // Declared 61 minutes ago: level 2 (at an hour) was due, level 3 (at two) is not.
    await world.bot.pool.query(`UPDATE incidents SET created_at = created_at - interval '61 minutes' WHERE id = $1`, [
      incident.id,
    ]);
    expect(await store.escalate(incident.id, 2, new Date())).toMatchObject({ escalationLevel: 2 });
    await timers.cancel([
      { incidentId: incident.id, kind: 'escalate', n: 2 },
      { incidentId: incident.id, kind: 'escalate', n: 3 },
    ]);

    // A worker starting (or the reconciler) re-creates the timers from PostgreSQL.
    await incidentsOf(world).rebuildTimers();
    await world.pagerduty.waitFor((e) => e.dedup_key === pageKey(incident.id) && e.event_action === 'trigger', {
      timeoutMs: 30_000,
    });
    await eventually(async () => (await levelsAnnounced(incident)).length === 1, 'level 2 announced');
    expect(await levelsAnnounced(incident)).toEqual([2]);
    expect(pagesFor(incident)).toHaveLength(1);
  });

  it('escalates no further once someone acknowledged', async () => {
    const incident = await declare(world, { title: 'Acknowledged before level three' });
    await acknowledgeAsBob(world, incident);
    await fire(incident, 3);

    expect(pagesFor(incident)).toHaveLength(0);
    expect(await levelsAnnounced(incident)).toEqual([]);
  });
});
