import { resolveContactPages } from './contact-page.ts';
import type { IncidentDeps } from './incident-deps.ts';
import { resolvedError } from './incident-guards.ts';
import { topicText } from './incident-template.ts';
import { allTimerJobs, pageKey } from './incident-timing.ts';
import type { Incident } from './incident-types.ts';
import { postmortemMarkdown } from './postmortem.ts';
import { loadTimeline } from './timeline-render.ts';
import { refreshChecklist, refreshTemplate } from './war-room.ts';

/**
 * Resolves an incident: timers cancelled, pages resolved, the war room told and given a postmortem
 * draft, and the incidents channel announces it.
 */
export async function resolveIncident(
  deps: IncidentDeps,
  incident: Incident,
  summary: string,
  by: string,
): Promise<Incident> {
  const { store, notifier, timers, pager, policy, now, channels } = deps;
  const next = await store.resolve(incident.id, by, summary, now());
  if (!next) throw resolvedError(incident);
  await timers.cancel(allTimerJobs(policy, next));
  if (next.escalationLevel >= 2 && pager.configured) await pager.resolve(pageKey(next.id));
  await resolveContactPages(deps, next.id);
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
    await refreshTemplate(deps, next);
    await refreshChecklist(deps, next);
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
