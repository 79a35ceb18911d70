import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import { incidentPolicySchema } from '../../src/config/incident-policy.ts';
import { createLogger } from '../../src/logger.ts';
import { onTimer } from '../../src/handlers/incidents/incident-escalation.ts';
import type { IncidentDeps } from '../../src/handlers/incidents/incident-deps.ts';
import type { Incident, IncidentEvent, Pager } from '../../src/handlers/incidents/incident-types.ts';

/** One unacknowledged incident in memory, a pager that records its calls, and the war room's posts. */
function escalationWorld(
  pager: (world: { incident: Incident; calls: string[] }) => Partial<Pager> = () => ({}),
  invite: () => Promise<void> = async () => undefined,
) {
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
  const keys: string[] = [];
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
      send: async (message: { key: string; text: string }) => {
        // The outbox posts a key once.
        if (keys.includes(message.key)) return;
        keys.push(message.key);
        posts.push(message.text);
      },
      invite,
    },
    directory: { usergroupMembers: async () => ['U0DAVE'] },
    pager: {
      configured: true,
      trigger: async () => void calls.push('trigger'),
      acknowledge: async () => void calls.push('acknowledge'),
      resolve: async () => void calls.push('resolve'),
      ...pager(state),
    },
    policy: incidentPolicySchema.parse({ escalation: { seniorEngineering: '@senior-eng' } }),
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

  it('calls senior engineering while PagerDuty is down, says once that paging is failing, and the level-2 timer retries', async () => {
    let down = true;
    const world = escalationWorld(({ calls }) => ({
      trigger: async () => {
        if (down) throw new AppError('pagerduty_unavailable', 'PagerDuty could not be reached.', { kind: 'upstream' });
        calls.push('trigger');
      },
    }));
    // The level-3 timer: level 2 fails, level 3 goes out, and the job succeeds (no retry storm of its own).
    await world.fire(3);
    expect(world.levels()).toEqual([3]);
    expect(world.posts[0]).toContain('paging the on-call is failing (PagerDuty could not be reached.)');
    expect(world.posts[1]).toContain('Escalation level 3');
    // The level-2 timer (re-created by the reconciler while level 2 is unannounced) retries the page.
    await expect(world.fire(2)).rejects.toMatchObject({ code: 'pagerduty_unavailable' });
    expect(world.posts).toHaveLength(2);
    down = false;
    await world.fire(2);
    expect(world.levels()).toEqual([3, 2]);
    expect(world.state.calls).toEqual(['trigger']);
    expect(world.posts[2]).toContain('The on-call has been paged');
  });

  it('calls senior engineering even when Slack will not invite them to the war room', async () => {
    const world = escalationWorld(undefined, async () => {
      throw new AppError('slack_refused', 'is_archived');
    });
    await world.fire(3);
    expect(world.levels()).toEqual([2, 3]);
    expect(world.posts[1]).toContain('@senior-eng (<@U0DAVE>) — senior engineering, please join.');
    expect(world.posts[1]).toContain(':warning: Slack refused to invite them (is_archived): tell them directly.');
  });

  it('retries the call when Slack fails to invite them: a mention outside the room notifies nobody', async () => {
    let failing = true;
    const world = escalationWorld(undefined, async () => {
      if (failing) throw new AppError('slack_unavailable', 'Slack did not answer', { kind: 'upstream' });
    });
    await expect(world.fire(3)).rejects.toMatchObject({ code: 'slack_unavailable' });
    expect(world.levels()).toEqual([2]);
    failing = false;
    await world.fire(3);
    expect(world.levels()).toEqual([2, 3]);
    expect(world.posts[1]).toContain('senior engineering, please join.');
    expect(world.posts[1]).not.toContain('refused');
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
    expect(world.posts[0]).toContain('the incident was acknowledged meanwhile, so the page was acknowledged too');

    // And a level-3 timer finds the incident acknowledged: nobody else is called.
    await world.fire(3);
    expect(world.levels()).toEqual([2]);
  });

  it('says so when PagerDuty does not take the late acknowledgement', async () => {
    const world = escalationWorld((state) => ({
      trigger: async () => {
        state.incident = { ...state.incident, acknowledgedBy: 'U0ALICE' };
      },
      acknowledge: async () => {
        throw new AppError('pagerduty_unavailable', 'PagerDuty could not be reached.', { kind: 'upstream' });
      },
    }));
    await world.fire(2);
    expect(world.posts[0]).toContain("PagerDuty did not take the page's acknowledgement: acknowledge it in PagerDuty.");
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
