import type { IncidentDeps } from './incident-deps.ts';
import { escalate } from './escalation-levels.ts';
import { reminderIntervalMs } from './incident-timing.ts';
import type { Incident, TimerJob } from './incident-types.ts';

/**
 * A delayed incident job fired. Every branch re-reads the incident and does nothing when the world
 * moved on (acknowledged, updated, resolved), so a late or duplicated job is harmless.
 */
export async function onTimer(deps: IncidentDeps, job: TimerJob): Promise<void> {
  const incident = await deps.store.get(job.incidentId);
  if (!incident || incident.status === 'resolved') return;
  switch (job.kind) {
    case 'reminder':
      return remind(deps, incident, job.n);
    case 'escalate':
      return escalate(deps, incident, job.n);
    case 'phase':
      return phaseOverdue(deps, incident, job.n);
    case 'setup':
      // Set-up timers of an earlier version: the set-up is a run now.
      if (!incident.setup.announced)
        await deps.startSetup(incident.id, {
          requestedBy: incident.requestedBy,
          requestId: `setup:${incident.id}`,
          teamId: incident.teamId,
        });
      return;
  }
}

async function remind(deps: IncidentDeps, incident: Incident, seq: number): Promise<void> {
  if (incident.reminderSeq !== seq) return;
  const { store, notifier, timers, policy, now } = deps;
  const interval = reminderIntervalMs(policy, incident);
  const next = await store.advanceReminder(incident.id, seq, new Date(now().getTime() + interval), now());
  if (!next) return;
  const who = incident.commander ?? incident.requestedBy;
  await store.addEvent({
    incidentId: incident.id,
    at: now(),
    kind: 'reminder',
    actor: 'system',
    text: `update reminder sent to <@${who}>`,
  });
  if (incident.channelId) {
    await notifier.send({
      key: `incident:${incident.id}:reminder:${seq}`,
      channel: incident.channelId,
      text: `:alarm_clock: <@${who}> an update on ${incident.id} is due. Post one with \`/eafix incident update "what we know" --status identified\`.`,
    });
  }
  await timers.schedule({ incidentId: incident.id, kind: 'reminder', n: next.reminderSeq }, interval);
}

async function phaseOverdue(deps: IncidentDeps, incident: Incident, phase: number): Promise<void> {
  const name = deps.policy.securityPhases[phase]?.name;
  if (!name || incident.phasesDone[String(phase)]) return;
  const first = await deps.store.addEvent({
    incidentId: incident.id,
    at: deps.now(),
    kind: 'phase',
    actor: 'system',
    text: `phase ${phase + 1} (${name}) passed its deadline`,
    onceKey: `phase-overdue-${phase}`,
  });
  if (first && incident.channelId) {
    const who = incident.commander ?? incident.requestedBy;
    await deps.notifier.send({
      key: `incident:${incident.id}:phase-overdue:${phase}`,
      channel: incident.channelId,
      text: `:hourglass: <@${who}> phase ${phase + 1} (*${name}*) of ${incident.id} is past its deadline. Mark it done on the checklist when it is.`,
    });
  }
}
