import { isAppError } from '../../app-error.ts';
import type { IncidentDeps } from './incident-deps.ts';
import { humanDuration, mention, subject } from './incident-template.ts';
import {
  escalationDelayMs,
  escalationLevels,
  escalationOnceKey,
  pageKey,
  reminderIntervalMs,
} from './incident-timing.ts';
import type { Incident, TimerJob } from './incident-types.ts';
import { expandMembers } from './response-team.ts';

const pagerSeverity = { critical: 'critical', high: 'error', medium: 'warning', low: 'info' } as const;

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

/**
 * An escalation timer fired: every level up to it that has not been announced is, in order, holding the
 * incident's lock. A level-3 timer whose level-2 timer was lost (Redis lost it, or a re-schedule raced a
 * Redis restart) still pages the on-call first, and the lock keeps the two timers, should both fire at
 * once, from paging twice.
 */
async function escalate(deps: IncidentDeps, found: Incident, level: number): Promise<void> {
  await deps.store.exclusive(found.id, async () => {
    // A lower level that fails (PagerDuty down) does not hold this one back: senior engineering is still
    // called, and the job fails afterwards so the lower level is retried.
    let lowerFailed: unknown;
    for (const each of escalationLevels.filter((l) => l < level)) {
      await escalateTo(deps, found.id, each).catch((error: unknown) => {
        deps.logger.warn({ err: error, incident: found.id, level: each }, 'lower escalation level failed');
        lowerFailed ??= error;
      });
    }
    await escalateTo(deps, found.id, level);
    if (lowerFailed) throw lowerFailed;
  });
}

/**
 * Level 2 pages the on-call, level 3 calls the senior engineering group into the war room. The level is
 * raised atomically; the once-keyed event makes the page and the message happen once per level even if
 * the job ran twice, and PagerDuty's dedup key covers a retry after a failed post.
 */
async function escalateTo(deps: IncidentDeps, id: string, level: number): Promise<void> {
  const { store, notifier, pager, policy, now } = deps;
  const raised = (await store.escalate(id, level, now())) ?? (await store.get(id));
  if (!raised || raised.status === 'resolved' || raised.acknowledgedBy || raised.escalationLevel < level) return;
  const already = await store.recordedOnce(raised.id, [escalationOnceKey(level)]);
  if (already.length > 0) return;
  const waited = humanDuration(escalationDelayMs(policy, level, raised));
  let text: string;
  let note = '';
  if (level === 2) {
    const refused = pager.configured ? await page(deps, raised, waited) : 'PagerDuty is not configured';
    note = refused ? ` (not paged: ${refused})` : ' (on-call paged)';
    text = refused
      ? `:rotating_light: *Escalation level 2*: nobody acknowledged ${raised.id} within ${waited}. :warning: Nobody was paged: ${refused}. Call the on-call directly.`
      : `:rotating_light: *Escalation level 2*: nobody acknowledged ${raised.id} within ${waited}. The on-call has been paged (PagerDuty). Press *Acknowledge* to stop escalation.`;
  } else {
    const group = policy.escalation.seniorEngineering;
    const { users } = group ? await expandMembers(deps.directory, [group]) : { users: [] };
    if (users.length && raised.channelId) await notifier.invite(raised.channelId, users);
    // Members are mentioned one by one: a group handle in text notifies nobody without the group's id.
    const who = group ? `${mention(group)}${users.length ? ` (${users.map((u) => `<@${u}>`).join(', ')})` : ''}` : '';
    text = `:sos: *Escalation level 3*: ${raised.id} is still unacknowledged after ${waited}. ${group ? `${who} — senior engineering, please join.` : 'No senior engineering group is configured.'}`;
  }
  const first = await store.addEvent({
    incidentId: raised.id,
    at: now(),
    kind: 'escalated',
    actor: 'system',
    text: `escalated to level ${level}${note}`,
    data: { level },
    onceKey: escalationOnceKey(level),
  });
  if (first && raised.channelId)
    await notifier.send({ key: `incident:${raised.id}:escalated:${level}`, channel: raised.channelId, text });
}

/**
 * Pages the on-call; returns why not when PagerDuty refused the event (a bad routing key does not get
 * better with retries, and the war room must hear that nobody was paged). PagerDuty unreachable or
 * answering 5xx throws, so the job is retried. Someone acknowledging or resolving while the page was
 * on its way told PagerDuty before the alert existed: the page is acknowledged or resolved after it.
 */
async function page(deps: IncidentDeps, incident: Incident, waited: string): Promise<string | undefined> {
  const { pager, store, logger } = deps;
  const dedupKey = pageKey(incident.id);
  try {
    await pager.trigger({
      dedupKey,
      summary: `${incident.id} ${subject(incident)} — unacknowledged for ${waited}`.slice(0, 1024),
      severity: pagerSeverity[incident.severity],
      source: 'eafix-chatops',
      details: { incident: incident.id, type: incident.type, systems: incident.systems, channel: incident.channelName },
    });
  } catch (error) {
    if (isAppError(error) && error.kind === 'domain') return error.userMessage.replace(/\.$/, '');
    throw error;
  }
  const now = await store.get(incident.id);
  const settle =
    now?.status === 'resolved'
      ? pager.resolve(dedupKey)
      : now?.acknowledgedBy
        ? pager.acknowledge(dedupKey)
        : undefined;
  await settle?.catch((err: unknown) =>
    logger.warn({ err, incident: incident.id }, 'page not settled after a late acknowledgement'),
  );
  return undefined;
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
