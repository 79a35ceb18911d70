import type { IncidentPolicy } from '../../config/incident-policy.ts';
import type { IncidentDeps } from './incident-deps.ts';
import type { Incident, TimerJob } from './incident-types.ts';

/** Every incident is reminded at the update interval (the runbook's template: "Next Update: In 30 minutes"). */
export function reminderIntervalMs(policy: IncidentPolicy, incident: Pick<Incident, 'severity'>): number {
  return policy.updateInterval[incident.severity];
}

export const escalationLevels = [2, 3] as const;

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
    for (const level of escalationLevels) {
      if (incident.escalationLevel >= level) continue;
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
