import { AppError } from '../../app-error.ts';
import type { IncidentDeps } from './incident-deps.ts';
import { declareIncident, type OpenedIncident, type OpenIncident } from './incident-declaration.ts';
import { onTimer } from './incident-escalation.ts';
import { assertOpen, resolvedError } from './incident-guards.ts';
import { resolveIncident } from './incident-resolution.ts';
import { postStatusUpdate } from './incident-status-update.ts';
import { topicText } from './incident-template.ts';
import { escalationJobs, pageKey, scheduleTimers } from './incident-timing.ts';
import type { Incident, IncidentStatus, TimerJob } from './incident-types.ts';
import { incidentIdPattern } from './incident-types.ts';
import { refreshChecklist, refreshTemplate } from './war-room.ts';
import { containmentOptions, type ContainmentOption } from './security-checklist.ts';

export type { OpenedIncident, OpenIncident } from './incident-declaration.ts';

/**
 * The incident logistics: declare, run, escalate, resolve. Commands, buttons, the modal, rollback's last
 * step and the timer worker all come through here.
 */
export class IncidentService {
  constructor(readonly deps: IncidentDeps) {}

  get systems(): readonly string[] {
    return this.deps.systems;
  }

  open(request: OpenIncident): Promise<OpenedIncident> {
    return declareIncident(this.deps, request);
  }

  /** The incident a command means: `--id`, else the war room it was typed in. */
  async find(ref: { id?: string | undefined; channelId: string }): Promise<Incident> {
    if (ref.id) {
      const id = ref.id.toUpperCase();
      const incident = incidentIdPattern.test(id) ? await this.deps.store.get(id) : undefined;
      if (!incident)
        throw new AppError('incident_not_found', `There is no incident \`${ref.id}\`.`, {
          hints: ['`/eafix incidents` lists the open ones.'],
        });
      return incident;
    }
    const incident = await this.deps.store.byChannel(ref.channelId);
    if (!incident) {
      throw new AppError('incident_unknown_channel', 'This is not an incident war room.', {
        hints: ['Run it in the war room, or name the incident: `--id INC-20261123-003`.'],
      });
    }
    return incident;
  }

  listOpen(): Promise<Incident[]> {
    return this.deps.store.listOpen();
  }

  update(incident: Incident, text: string, status: IncidentStatus | undefined, by: string): Promise<Incident> {
    if (status === 'resolved') return this.resolve(incident, text, by);
    return postStatusUpdate(this.deps, incident, text, status, by);
  }

  async setCommander(incident: Incident, commander: string, by: string): Promise<Incident> {
    const { store, notifier, now } = this.deps;
    assertOpen(incident);
    const next = await store.setCommander(incident.id, commander, now());
    if (!next) throw resolvedError(incident);
    await store.addEvent({
      incidentId: incident.id,
      at: now(),
      kind: 'commander',
      actor: by,
      text: `<@${commander}> is incident commander${by === commander ? '' : ` (assigned by <@${by}>)`}`,
    });
    if (next.channelId) {
      await notifier.invite(next.channelId, [commander]);
      await notifier.send({
        channel: next.channelId,
        text: `:crown: <@${commander}> is now the incident commander${by === commander ? '' : ` (assigned by <@${by}>)`}.`,
      });
      await notifier.setTopic(next.channelId, topicText(next));
    }
    await refreshTemplate(this.deps, next);
    return next;
  }

  /** The first acknowledgement stops the escalation timers and acknowledges any page already sent. */
  async acknowledge(incident: Incident, by: string): Promise<{ incident: Incident; first: boolean }> {
    const { store, notifier, timers, pager, now } = this.deps;
    assertOpen(incident);
    const next = await store.acknowledge(incident.id, by, now());
    if (!next) return { incident: (await store.get(incident.id)) as Incident, first: false };
    await timers.cancel(escalationJobs(next));
    if (next.escalationLevel >= 2 && pager.configured) await pager.acknowledge(pageKey(next.id));
    await store.addEvent({
      incidentId: next.id,
      at: now(),
      kind: 'acknowledged',
      actor: by,
      text: `acknowledged at escalation level ${next.escalationLevel}; paging stopped`,
      onceKey: 'acknowledged',
    });
    if (next.channelId)
      await notifier.send({
        channel: next.channelId,
        text: `:raised_hand: <@${by}> acknowledged ${next.id}. Escalation and paging stopped.`,
      });
    await refreshTemplate(this.deps, next);
    return { incident: next, first: true };
  }

  async tickPhase(incident: Incident, phase: number, by: string): Promise<Incident | undefined> {
    const { store, policy, now } = this.deps;
    const name = policy.securityPhases[phase]?.name;
    if (incident.type !== 'security' || !name)
      throw new AppError('incident_no_phase', `${incident.id} has no phase ${phase + 1}.`);
    const next = await store.tickPhase(incident.id, phase, by, now());
    if (!next) return undefined;
    await this.deps.timers.cancel([{ incidentId: incident.id, kind: 'phase', n: phase }]);
    await store.addEvent({
      incidentId: incident.id,
      at: now(),
      kind: 'phase',
      actor: by,
      text: `phase ${phase + 1} (${name}) done`,
      onceKey: `phase-${phase}`,
    });
    await refreshChecklist(this.deps, next);
    return next;
  }

  containment(incident: Incident): ContainmentOption[] {
    return containmentOptions(incident, this.deps.policy, this.deps.knowsCommand);
  }

  /** The channel a containment command is run in (and its approval request posted to). */
  containmentChannel(incident: Incident): string {
    return this.deps.policy.containmentIn === 'war-room' && incident.channelId
      ? incident.channelId
      : this.deps.channels.ops;
  }

  /** A containment button was pressed: on the timeline always, in the war room when it went through. */
  async recordContainment(
    incident: Incident,
    option: ContainmentOption,
    by: string,
    outcome: string,
    reply: string,
  ): Promise<void> {
    const { store, notifier, now } = this.deps;
    await store.addEvent({
      incidentId: incident.id,
      at: now(),
      kind: 'containment',
      actor: by,
      text: `${option.label}: \`/eafix ${option.command}\` → ${outcome}`,
      data: { command: option.command, outcome },
    });
    if (outcome === 'ok' && incident.channelId) {
      await notifier.send({
        channel: incident.channelId,
        text: `:shield: <@${by}> pressed *${option.label}*: ${reply}`.slice(0, 3000),
      });
    }
  }

  resolve(incident: Incident, summary: string, by: string): Promise<Incident> {
    return resolveIncident(this.deps, incident, summary, by);
  }

  /**
   * Re-creates every open incident's reminders, escalations and phase deadlines from PostgreSQL, each at
   * its due time by the injected clock: Redis may lose its delayed jobs without an incident losing a page.
   * Idempotent (one job id per incident, kind and level), so every worker may run it at start-up and in
   * the reconciler.
   */
  async rebuildTimers(): Promise<number> {
    const open = await this.deps.store.listOpen(1_000);
    for (const incident of open) await scheduleTimers(this.deps, incident);
    return open.length;
  }

  /** Called by the incident-timers worker. */
  onTimer(job: TimerJob): Promise<void> {
    return onTimer(this.deps, job);
  }
}
