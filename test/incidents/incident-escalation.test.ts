import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import { incidentPolicySchema } from '../../src/config/incident-policy.ts';
import { createLogger } from '../../src/logger.ts';
import { onTimer } from '../../src/handlers/incidents/incident-escalation.ts';
import type { IncidentDeps } from '../../src/handlers/incidents/incident-deps.ts';
import type { Incident, IncidentEvent, Pager } from '../../src/handlers/incidents/incident-types.ts';

/** One unacknowledged incident in memory, a pager that records its calls, and the war room's posts. */
function escalationWorld(pager: (world: { incident: Incident; calls: string[] }) => Partial<Pager> = () => ({})) {
  const incident = {
    id: 'INC-20261201-001',
    title: 'Quotes stale',
    severity: 'high',
    type: 'ops',
    systems: [],
    status: 'investigating',
    channelId: 'C0ROOM',
    escalationLevel: 1,
    createdAt: new Date(Date.UTC(2026, 11, 1, 8)),
  } as unknown as Incident;
  const events: IncidentEvent[] = [];
  const posts: string[] = [];
  const calls: string[] = [];
  const state = { incident, calls };
  const copy = () => ({ ...state.incident });
  const deps = {
    store: {
      get: async () => copy(),
      escalate: async (_id: string, level: number) => {
        if (state.incident.escalationLevel >= level || state.incident.acknowledgedBy) return undefined;
        state.incident = { ...state.incident, escalationLevel: level };
        return copy();
      },
      recordedOnce: async (_id: string, keys: string[]) =>
        events.map((e) => (e as { onceKey?: string }).onceKey ?? '').filter((key) => keys.includes(key)),
      addEvent: async (event: IncidentEvent & { onceKey?: string }) => {
        if (events.some((e) => (e as { onceKey?: string }).onceKey === event.onceKey)) return false;
        events.push(event);
        return true;
      },
      exclusive: async <T>(_id: string, work: () => Promise<T>) => work(),
    },
    notifier: {
      send: async (message: { text: string }) => void posts.push(message.text),
      invite: async () => undefined,
    },
    directory: { groupMembers: async () => [] },
    pager: {
      configured: true,
      trigger: async () => void calls.push('trigger'),
      acknowledge: async () => void calls.push('acknowledge'),
      resolve: async () => void calls.push('resolve'),
      ...pager(state),
    },
    policy: { ...incidentPolicySchema.parse({}), escalation: { level2After: 900_000, level3After: 1_800_000 } },
    logger: createLogger({ level: 'silent' }),
    now: () => new Date(Date.UTC(2026, 11, 1, 9)),
  } as unknown as IncidentDeps;
  const levels = () => events.map((e) => e.data?.level);
  const fire = (n: number) => onTimer(deps, { incidentId: incident.id, kind: 'escalate', n });
  return { state, posts, levels, fire };
}

describe('escalation when paging goes wrong', () => {
  it('still calls senior engineering when PagerDuty refuses the level-2 page, and says nobody was paged', async () => {
    const world = escalationWorld(() => ({
      trigger: async () => {
        throw new AppError('pagerduty_refused', 'PagerDuty refused the event (HTTP 400).');
      },
    }));
    await world.fire(3);
    expect(world.levels()).toEqual([2, 3]);
    expect(world.posts[0]).toContain('Nobody was paged: PagerDuty refused the event (HTTP 400). Call the on-call');
    expect(world.posts[1]).toContain('Escalation level 3');
  });

  it('calls senior engineering while PagerDuty is down, and fails the job so the page is retried', async () => {
    let down = true;
    const world = escalationWorld(({ calls }) => ({
      trigger: async () => {
        if (down) throw new AppError('pagerduty_unavailable', 'PagerDuty could not be reached.', { kind: 'upstream' });
        calls.push('trigger');
      },
    }));
    await expect(world.fire(3)).rejects.toMatchObject({ code: 'pagerduty_unavailable' });
    expect(world.levels()).toEqual([3]);

    down = false;
    await world.fire(3);
    expect(world.levels()).toEqual([3, 2]);
    expect(world.state.calls).toEqual(['trigger']);
  });

  it('acknowledges the page when someone acknowledged while it was on its way', async () => {
    const world = escalationWorld((state) => ({
      trigger: async () => {
        // Alice presses Acknowledge now: PagerDuty hears of it before the alert exists, and drops it.
        state.incident = { ...state.incident, acknowledgedBy: 'U0ALICE' };
        state.calls.push('trigger');
      },
    }));
    await world.fire(2);
    expect(world.state.calls).toEqual(['trigger', 'acknowledge']);

    // And a level-3 timer finds the incident acknowledged: nobody else is called.
    await world.fire(3);
    expect(world.levels()).toEqual([2]);
  });

  it('resolves the page when the incident was resolved while it was on its way', async () => {
    const world = escalationWorld((state) => ({
      trigger: async () => {
        state.incident = { ...state.incident, status: 'resolved' };
        state.calls.push('trigger');
      },
    }));
    await world.fire(2);
    expect(world.state.calls).toEqual(['trigger', 'resolve']);
  });
});
