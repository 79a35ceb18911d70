import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createPool, migrate, type Pool } from '../../src/store/database.ts';
import { PgIncidentStore } from '../../src/store/pg-incident-store.ts';
import type { NewIncident } from '../../src/handlers/incidents/incident-types.ts';
import { isolate } from '../support/isolation.ts';

const isolation = isolate('incident_store');
const logger = createLogger({ level: 'silent' });
let pool: Pool;
let store: PgIncidentStore;

beforeAll(async () => {
  pool = createPool({ url: isolation.databaseUrl, schema: isolation.schema, max: 20 }, logger);
  await migrate(pool, isolation.schema, logger);
  store = new PgIncidentStore(pool);
});
afterAll(async () => {
  await pool.end();
  await isolation.cleanup();
});

const draft = (requestId: string): NewIncident => ({
  requestId,
  title: 'Orders failing',
  description: '',
  severity: 'high',
  type: 'ops',
  systems: ['execution-engine'],
  requestedBy: 'U0ALICE',
  teamId: 'T1',
});
const day = new Date('2026-11-23T09:00:00Z');
const later = new Date('2026-11-23T09:30:00Z');

describe('PgIncidentStore', () => {
  it('allocates consecutive ids per day under concurrency, never the same one twice', async () => {
    const created = await Promise.all(
      Array.from({ length: 15 }, (_, i) => store.create(draft(`req_a${i}`), day, later)),
    );
    const ids = created.map((c) => c.incident.id).sort();
    expect(ids).toEqual(Array.from({ length: 15 }, (_, i) => `INC-20261123-${String(i + 1).padStart(3, '0')}`));
    expect(created.every((c) => c.created)).toBe(true);
    const nextDay = await store.create(draft('req_b'), new Date('2026-11-24T00:00:01Z'), later);
    expect(nextDay.incident.id).toBe('INC-20261124-001');
  });

  it('returns the same incident for the same request id, even when raced', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => store.create(draft('req_same'), day, later)));
    expect(new Set(results.map((r) => r.incident.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('asked for one open incident per title, makes one of concurrent declarations, and a new one once it is resolved', async () => {
    const pressed = (requestId: string): NewIncident => ({
      ...draft(requestId),
      title: 'disk_space_low: disk almost full',
      onePerOpenTitle: true,
    });
    const presses = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.create(pressed(`req_press${i}`), day, later)),
    );
    const first = presses.find((p) => p.created)!.incident;
    expect(presses.filter((p) => p.created)).toHaveLength(1);
    expect(new Set(presses.map((p) => p.incident.id))).toEqual(new Set([first.id]));
    // Without the ask, a declaration of the same title is an incident of its own.
    const typed = await store.create({ ...pressed('req_typed'), onePerOpenTitle: false }, day, later);
    expect(typed.created).toBe(true);
    expect(typed.incident.id).not.toBe(first.id);
    await store.resolve(first.id, 'U0BOB', 'fixed', later);
    await store.resolve(typed.incident.id, 'U0BOB', 'fixed', later);
    const again = await store.create(pressed('req_press_again'), day, later);
    expect(again.created).toBe(true);
    expect(again.incident.id).not.toBe(first.id);
  });

  it('lets the first acknowledgement, escalation and resolution win', async () => {
    const { incident } = await store.create(draft('req_c'), day, later);
    const escalations = await Promise.all([
      store.escalate(incident.id, 2, later),
      store.escalate(incident.id, 2, later),
    ]);
    expect(escalations.filter(Boolean)).toHaveLength(1);
    const acks = await Promise.all([
      store.acknowledge(incident.id, 'U0BOB', later),
      store.acknowledge(incident.id, 'U0DAVE', later),
    ]);
    expect(acks.filter(Boolean)).toHaveLength(1);
    expect(await store.escalate(incident.id, 3, later)).toBeUndefined();
    expect(await store.resolve(incident.id, 'U0BOB', 'fixed', later)).toMatchObject({ status: 'resolved' });
    expect(await store.resolve(incident.id, 'U0BOB', 'again', later)).toBeUndefined();
  });

  it('records once-keyed events once, and a reminder only for the current sequence', async () => {
    const { incident } = await store.create(draft('req_d'), day, later);
    const firsts = await Promise.all(
      [1, 2, 3].map(() =>
        store.addEvent({
          incidentId: incident.id,
          at: later,
          kind: 'escalated',
          actor: 'system',
          text: 'level 2',
          onceKey: 'escalated-2',
        }),
      ),
    );
    expect(firsts.filter(Boolean)).toHaveLength(1);
    expect(await store.recordedOnce(incident.id, ['escalated-2', 'escalated-3'])).toEqual(['escalated-2']);
    const updated = await store.recordUpdate(incident.id, 'identified', later, later);
    expect(updated?.reminderSeq).toBe(1);
    expect(await store.advanceReminder(incident.id, 0, later, later)).toBeUndefined();
    expect((await store.advanceReminder(incident.id, 1, later, later))?.reminderSeq).toBe(2);
  });

  it('never gives one channel to two incidents', async () => {
    const a = (await store.create(draft('req_e'), day, later)).incident;
    const b = (await store.create(draft('req_f'), day, later)).incident;
    expect(await store.attachChannel(a.id, 'C0WAR', 'inc-a')).toBe(true);
    expect(await store.attachChannel(a.id, 'C0WAR', 'inc-a')).toBe(true);
    expect(await store.attachChannel(b.id, 'C0WAR', 'inc-a')).toBe(false);
    expect((await store.byChannel('C0WAR'))?.id).toBe(a.id);
  });
});
