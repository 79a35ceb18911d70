import type { IncidentPolicy } from '../../config/incident-policy.ts';
import type { IncidentDeps } from './incident-deps.ts';
import type { Incident, TimerJob } from './incident-types.ts';

/** Every incident is reminded at the update interval (the runbook's template: "Next Update: In 30 minutes"). */
export function reminderIntervalMs(policy: IncidentPolicy, incident: Pick<Incident, 'severity'>): number {
  return policy.updateInterval[incident.severity];
}

export const escalationLevels = [2, 3] as const;

/** The once-key of a level's `escalated` event: recorded when its page or call went out. */
export const escalationOnceKey = (level: number) => `escalated-${level}`;

/**
 * How long after its declaration an unacknowledged incident escalates to `level`: the runbook's Escalation
 * Procedures (level 2 at 15, level 3 at 30 minutes) for operational incidents; for security incidents the
 * Incident Classification's response time for their severity (level 2), twice it for level 3, so a Low
 * one (24 hours) does not page anyone at 15 minutes.
 */
export function escalationDelayMs(
  policy: IncidentPolicy,
  level: number,
  incident: Pick<Incident, 'type' | 'severity'>,
): number {
  if (incident.type === 'security') {
    const responseTime = policy.securityResponseTime[incident.severity];
    return level === 2 ? responseTime : 2 * responseTime;
  }
  return level === 2 ? policy.escalation.level2After : policy.escalation.level3After;
}

const delayUntil = (deps: IncidentDeps, at: Date) => Math.max(0, at.getTime() - deps.now().getTime());

/** Every timer an open incident should have, each at its due time. Scheduling is idempotent per job id. */
export async function scheduleTimers(deps: IncidentDeps, incident: Incident): Promise<void> {
  const { policy, timers } = deps;
  if (incident.status === 'resolved') return;
  if (incident.nextUpdateDue) {
    await timers.schedule(
      { incidentId: incident.id, kind: 'reminder', n: incident.reminderSeq },
      delayUntil(deps, incident.nextUpdateDue),
    );
  }
  if (!incident.acknowledgedBy) {
    const announced = await announcedLevels(deps, incident);
    for (const level of escalationLevels) {
      if (announced.has(level)) continue;
      const due = new Date(incident.createdAt.getTime() + escalationDelayMs(policy, level, incident));
      await timers.schedule({ incidentId: incident.id, kind: 'escalate', n: level }, delayUntil(deps, due));
    }
  }
  if (incident.type === 'security') {
    for (const [i, phase] of policy.securityPhases.entries()) {
      if (incident.phasesDone[String(i)]) continue;
      await timers.schedule(
        { incidentId: incident.id, kind: 'phase', n: i },
        delayUntil(deps, new Date(incident.createdAt.getTime() + phase.deadline)),
      );
    }
  }
}

/**
 * The escalation levels whose page or call went out (their once-keyed event). A raised level alone does
 * not count: a job stopped between raising it and announcing it (its process died, and Redis lost the job
 * meanwhile) is scheduled again, not taken as done. Only an incident raised past level 1 is looked up.
 */
async function announcedLevels(deps: IncidentDeps, incident: Incident): Promise<Set<number>> {
  if (incident.escalationLevel <= 1) return new Set();
  const recorded = await deps.store.recordedOnce(incident.id, escalationLevels.map(escalationOnceKey));
  return new Set(escalationLevels.filter((level) => recorded.includes(escalationOnceKey(level))));
}

export const escalationJobs = (incident: Incident): TimerJob[] =>
  escalationLevels.map((n) => ({ incidentId: incident.id, kind: 'escalate' as const, n }));

/** Every job an incident may have pending, for cancellation on resolve. */
export function allTimerJobs(policy: IncidentPolicy, incident: Incident): TimerJob[] {
  return [
    { incidentId: incident.id, kind: 'reminder', n: incident.reminderSeq },
    ...escalationJobs(incident),
    ...policy.securityPhases.map((_, n) => ({ incidentId: incident.id, kind: 'phase' as const, n })),
    { incidentId: incident.id, kind: 'setup', n: 0 },
  ];
}

/** PagerDuty dedup key for the level-2 page: one PagerDuty incident per EAFIX incident. */
export const pageKey = (incidentId: string) => `eafix-${incidentId}-level-2`;
