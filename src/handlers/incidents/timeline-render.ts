import type { IncidentEvent, IncidentStore } from './incident-types.ts';

/** The incident's own events and the approvals/runs that mention it, oldest first. */
export async function loadTimeline(store: IncidentStore, id: string): Promise<IncidentEvent[]> {
  const [own, related] = await Promise.all([store.events(id), store.relatedActivity(id)]);
  return [...own, ...related].sort((a, b) => a.at.getTime() - b.at.getTime());
}

export const clock = (at: Date) => `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
const who = (actor: string) => (actor === 'system' ? 'eafix' : `<@${actor}>`);

/** One mrkdwn line per event, for Slack. */
export function timelineLines(events: IncidentEvent[]): string[] {
  return events.map((e) => `\`${clock(e.at)}\` *${e.kind}* ${who(e.actor)}: ${e.text}`);
}
