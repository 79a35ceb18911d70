import { AppError } from '../../app-error.ts';
import type { IncidentDeps } from './incident-deps.ts';
import { topicText } from './incident-template.ts';
import { postmortemMarkdown } from './postmortem.ts';
import { loadTimeline } from './timeline-render.ts';
import { allTimerJobs, escalationJobs, pageKey, reminderIntervalMs, scheduleTimers } from './incident-timing.ts';
import type { Incident, IncidentStatus, IncidentType, Severity } from './incident-types.ts';
import { incidentIdPattern } from './incident-types.ts';
import { onTimer } from './incident-escalation.ts';
import type { TimerJob } from './incident-types.ts';
import { refreshChecklist, refreshTemplate } from './war-room.ts';
import { containmentOptions, type ContainmentOption } from './security-checklist.ts';
import { resolveContactPages } from './contact-page.ts';

export interface OpenIncident {
  title: string;
  severity: Severity;
  type: IncidentType;
  systems: string[];
  requestedBy: string;
  description?: string;
  /** The same request id opens the same incident: a retried caller never gets a second one. */
  requestId: string;
  teamId?: string;
  originChannel?: string;
}

export interface OpenedIncident {
  id: string;
  /** The war room, when it exists already (the same request opened the incident before). */
  channelId?: string | undefined;
  /** False when the request id had already opened this incident. */
  created: boolean;
  /** The run setting the war room up; undefined when it was set up already. */
  setupRunId?: string | undefined;
}

/**
 * The incident logistics: declare, run, escalate, resolve. Commands, buttons, the modal, rollback's last
 * step and the timer worker all come through here.
 */
export class IncidentService {
  constructor(readonly deps: IncidentDeps) {}

  get systems(): readonly string[] {
    return this.deps.systems;
  }

  async open(request: OpenIncident): Promise<OpenedIncident> {
    const { store, now, policy } = this.deps;
    const at = now();
    const interval = reminderIntervalMs(policy, request);
    const { incident, created } = await store.create(
      {
        requestId: request.requestId,
        title: request.title,
        description: request.description ?? '',
        severity: request.severity,
        type: request.type,
        systems: request.systems,
        requestedBy: request.requestedBy,
        teamId: request.teamId ?? '',
        ...(request.originChannel ? { originChannel: request.originChannel } : {}),
      },
      at,
      new Date(at.getTime() + interval),
    );
    // Written alongside the war room's start (the timeline orders by time, and `at` is the declaration's):
    // rollback's incident step waits for both.
    const declared = created
      ? store.addEvent({
          incidentId: incident.id,
          at,
          kind: 'declared',
          actor: request.requestedBy,
          text: `declared ${request.severity} ${request.type} incident "${request.title}"${request.systems.length ? ` affecting ${request.systems.join(', ')}` : ''}`,
          onceKey: 'declared',
        })
      : Promise.resolve(false);
    // The war room is a resumable run on the job engine: Slack's slowness never holds up the caller, and
    // a crash resumes it at the step it was in. The same request starts it once.
    if (incident.setup.announced) {
      await declared;
      return { id: incident.id, channelId: incident.channelId, created };
    }
    const [{ runId }] = await Promise.all([
      this.deps.startSetup(incident.id, {
        requestedBy: request.requestedBy,
        requestId: request.requestId,
        teamId: request.teamId ?? '',
      }),
      declared,
    ]);
    return { id: incident.id, channelId: incident.channelId, created, setupRunId: runId };
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

  async update(incident: Incident, text: string, status: IncidentStatus | undefined, by: string): Promise<Incident> {
    if (status === 'resolved') return this.resolve(incident, text, by);
    const { store, notifier, timers, policy, now } = this.deps;
    open(incident);
    const at = now();
    const interval = reminderIntervalMs(policy, incident);
    const next = await store.recordUpdate(incident.id, status, new Date(at.getTime() + interval), at);
    if (!next) throw resolvedError(incident);
    // Reset the reminder: the old job is cancelled and the new sequence gets a full interval.
    await timers.cancel([{ incidentId: incident.id, kind: 'reminder', n: incident.reminderSeq }]);
    await timers.schedule({ incidentId: incident.id, kind: 'reminder', n: next.reminderSeq }, interval);
    const changed = status && status !== incident.status;
    await store.addEvent({
      incidentId: incident.id,
      at,
      kind: 'update',
      actor: by,
      text,
      data: changed ? { status } : {},
    });
    if (changed)
      await store.addEvent({
        incidentId: incident.id,
        at,
        kind: 'status',
        actor: by,
        text: `status ${incident.status} → ${status}`,
      });
    if (next.channelId) {
      const heading = `:memo: *Update* from <@${by}>${changed ? ` — status *${status}*` : ''}`;
      await notifier.send({
        channel: next.channelId,
        text: `${heading}\n${text}`,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `${heading}\n${text}`.slice(0, 3000) } },
          {
            type: 'context',
            elements: [
              {
                type: 'mrkdwn',
                text: `Next update due by <!date^${Math.floor((next.nextUpdateDue as Date).getTime() / 1000)}^{time}|${(next.nextUpdateDue as Date).toISOString()}>`,
              },
            ],
          },
        ],
      });
      if (changed) await notifier.setTopic(next.channelId, topicText(next));
    }
    await refreshTemplate(this.deps, next);
    return next;
  }

  async setCommander(incident: Incident, commander: string, by: string): Promise<Incident> {
    const { store, notifier, now } = this.deps;
    open(incident);
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
    open(incident);
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

  async resolve(incident: Incident, summary: string, by: string): Promise<Incident> {
    const { store, notifier, timers, pager, policy, now, channels } = this.deps;
    const next = await store.resolve(incident.id, by, summary, now());
    if (!next) throw resolvedError(incident);
    await timers.cancel(allTimerJobs(policy, next));
    if (next.escalationLevel >= 2 && pager.configured) await pager.resolve(pageKey(next.id));
    await resolveContactPages(this.deps, next.id);
    await store.addEvent({
      incidentId: next.id,
      at: now(),
      kind: 'resolved',
      actor: by,
      text: summary,
      onceKey: 'resolved',
    });
    if (next.channelId) {
      const text = `:white_check_mark: *${next.id} resolved* by <@${by}>.\n*Summary:* ${summary}`;
      await notifier.send({
        key: `incident:${next.id}:resolved`,
        channel: next.channelId,
        text,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }],
      });
      await notifier.setTopic(next.channelId, topicText(next));
      await refreshTemplate(this.deps, next);
      await refreshChecklist(this.deps, next);
      const markdown = postmortemMarkdown(next, await loadTimeline(store, next.id));
      await notifier.upload({
        key: `incident:${next.id}:postmortem`,
        channel: next.channelId,
        filename: `postmortem-${next.id}.md`,
        title: `Postmortem draft ${next.id}`,
        content: markdown,
        comment: "Postmortem draft: the timeline and the runbook's lessons-learned questions.",
      });
    }
    await notifier.send({
      key: `incident:${next.id}:resolved:announce`,
      channel: channels.incidents,
      text: `:white_check_mark: ${next.id} resolved by <@${by}>: ${next.title}${next.channelId ? ` (<#${next.channelId}>)` : ''}`,
    });
    return next;
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

function open(incident: Incident): void {
  if (incident.status === 'resolved') throw resolvedError(incident);
}

function resolvedError(incident: Incident): AppError {
  return new AppError('incident_resolved', `${incident.id} is already resolved.`);
}
