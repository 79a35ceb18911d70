import type { IncidentDeps } from './incident-deps.ts';
import { assertOpen, resolvedError } from './incident-guards.ts';
import { topicText } from './incident-template.ts';
import { reminderIntervalMs } from './incident-timing.ts';
import type { Incident, IncidentStatus } from './incident-types.ts';
import { refreshTemplate } from './war-room.ts';

/**
 * A status update on an open incident: on the timeline, in the war room with when the next one is due,
 * and the update reminder starts a fresh interval.
 */
export async function postStatusUpdate(
  deps: IncidentDeps,
  incident: Incident,
  text: string,
  status: IncidentStatus | undefined,
  by: string,
): Promise<Incident> {
  const { store, notifier, timers, policy, now } = deps;
  assertOpen(incident);
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
  await refreshTemplate(deps, next);
  return next;
}
