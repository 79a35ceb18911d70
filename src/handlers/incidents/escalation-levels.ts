import { isAppError } from '../../app-error.ts';
import type { IncidentDeps } from './incident-deps.ts';
import { humanDuration, mention, subject } from './incident-template.ts';
import { escalationDelayMs, escalationLevels, escalationOnceKey, pageKey } from './incident-timing.ts';
import type { Incident } from './incident-types.ts';
import { expandMembers } from './response-team.ts';

const pagerSeverity = { critical: 'critical', high: 'error', medium: 'warning', low: 'info' } as const;

/**
 * An escalation timer fired: every level up to it that has not been announced is, in order, holding the
 * incident's lock. A level-3 timer whose level-2 timer was lost (Redis lost it, or a re-schedule raced a
 * Redis restart) still pages the on-call first, and the lock keeps the two timers, should both fire at
 * once, from paging twice. A lower level that fails (PagerDuty down) does not hold this one back, nor
 * fail this job: its own timer, which the reconciler re-creates while the level is unannounced, retries it.
 */
export async function escalate(deps: IncidentDeps, found: Incident, level: number): Promise<void> {
  await deps.store.exclusive(found.id, async () => {
    for (const lower of escalationLevels.filter((l) => l < level)) {
      await escalateTo(deps, found.id, lower).catch((err: unknown) =>
        deps.logger.warn(
          { err, incident: found.id, level: lower },
          'lower escalation level failed; its timer retries it',
        ),
      );
    }
    await escalateTo(deps, found.id, level);
  });
}

/**
 * Level 2 pages the on-call, level 3 calls the senior engineering group into the war room. The level is
 * raised atomically; the once-keyed event makes the page and the message happen once per level even if
 * the job ran twice, and PagerDuty's dedup key covers a retry after a failed post.
 */
async function escalateTo(deps: IncidentDeps, id: string, level: number): Promise<void> {
  const { store, notifier, now } = deps;
  const raised = (await store.escalate(id, level, now())) ?? (await store.get(id));
  if (!raised || raised.status === 'resolved' || raised.acknowledgedBy || raised.escalationLevel < level) return;
  const already = await store.recordedOnce(raised.id, [escalationOnceKey(level)]);
  if (already.length > 0) return;
  const waited = humanDuration(escalationDelayMs(deps.policy, level, raised));
  const { text, note } = level === 2 ? await levelTwo(deps, raised, waited) : await levelThree(deps, raised, waited);
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

type Announcement = { text: string; note: string };

async function levelTwo(deps: IncidentDeps, incident: Incident, waited: string): Promise<Announcement> {
  const head = `:rotating_light: *Escalation level 2*: nobody acknowledged ${incident.id} within ${waited}.`;
  const paged = deps.pager.configured ? await page(deps, incident, waited) : { refused: 'PagerDuty is not configured' };
  if ('refused' in paged)
    return {
      text: `${head} :warning: Nobody was paged: ${paged.refused}. Call the on-call directly.`,
      note: ` (not paged: ${paged.refused})`,
    };
  if (paged.settled)
    return paged.settleFailed
      ? {
          text: `${head} The on-call was paged (PagerDuty) as the incident was ${paged.settled}, and PagerDuty did not take the page's ${paged.settled === 'resolved' ? 'resolution' : 'acknowledgement'}: ${paged.settled === 'resolved' ? 'resolve' : 'acknowledge'} it in PagerDuty.`,
          note: ` (on-call paged; page not ${paged.settled})`,
        }
      : {
          text: `${head} The on-call was paged (PagerDuty); the incident was ${paged.settled} meanwhile, so the page was ${paged.settled} too.`,
          note: ` (on-call paged, page ${paged.settled})`,
        };
  return {
    text: `${head} The on-call has been paged (PagerDuty). Press *Acknowledge* to stop escalation.`,
    note: ' (on-call paged)',
  };
}

async function levelThree(deps: IncidentDeps, incident: Incident, waited: string): Promise<Announcement> {
  const group = deps.policy.escalation.seniorEngineering;
  const head = `:sos: *Escalation level 3*: ${incident.id} is still unacknowledged after ${waited}.`;
  if (!group) return { text: `${head} No senior engineering group is configured.`, note: '' };
  const { users } = await expandMembers(deps.directory, [group]);
  // A room Slack refuses to invite to (archived, scopes) still gets the call, saying so. Slack failing
  // (rate limits, unreachable) throws before the level is recorded: the timer retries the invitation,
  // since a mention of people outside the room notifies nobody.
  let refused = '';
  if (users.length && incident.channelId)
    await deps.notifier.invite(incident.channelId, users).catch((err: unknown) => {
      if (!isAppError(err) || err.kind !== 'domain') throw err;
      deps.logger.warn({ err, incident: incident.id }, 'senior engineering not invited to the war room');
      refused = err.message;
    });
  // Members are mentioned one by one: a group handle in text notifies nobody without the group's id.
  const who = `${mention(group)}${users.length ? ` (${users.map((u) => `<@${u}>`).join(', ')})` : ''}`;
  return refused
    ? {
        text: `${head} ${who} — senior engineering, please join. :warning: Slack refused to invite them (${refused}): tell them directly.`,
        note: ` (not invited: ${refused})`,
      }
    : { text: `${head} ${who} — senior engineering, please join.`, note: '' };
}

type Paged = { refused: string } | { settled?: 'acknowledged' | 'resolved'; settleFailed?: boolean };

/**
 * Pages the on-call. PagerDuty refusing the event (a bad routing key does not get better with retries)
 * comes back as why, for the war room. PagerDuty unreachable or answering 429/5xx throws, so the timer
 * is retried, and the war room hears once that paging is failing. Someone acknowledging or resolving while
 * the page was on its way told PagerDuty before the alert existed: the page is acknowledged or resolved.
 */
async function page(deps: IncidentDeps, incident: Incident, waited: string): Promise<Paged> {
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
    if (isAppError(error) && error.kind === 'domain') return { refused: error.userMessage.replace(/\.$/, '') };
    if (incident.channelId)
      await deps.notifier.send({
        key: `incident:${incident.id}:page-failing`,
        channel: incident.channelId,
        text: `:warning: ${incident.id} is unacknowledged after ${waited}, and paging the on-call is failing (${error instanceof Error ? error.message : String(error)}); the bot keeps trying. Call the on-call directly.`,
      });
    throw error;
  }
  const now = await store.get(incident.id);
  const settled = now?.status === 'resolved' ? 'resolved' : now?.acknowledgedBy ? 'acknowledged' : undefined;
  if (!settled) return {};
  try {
    await (settled === 'resolved' ? pager.resolve(dedupKey) : pager.acknowledge(dedupKey));
    return { settled };
  } catch (err) {
    logger.warn({ err, incident: incident.id }, 'page not settled after a late acknowledgement');
    return { settled, settleFailed: true };
  }
}
