import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { header, sections } from '../core/reply.ts';
import { incidentFor, incidentIdOption } from './incident-inputs.ts';
import { loadTimeline, timelineLines } from './timeline-render.ts';

/** Block Kit allows 50 blocks; long timelines are shown from the end and attached whole. */
const MAX_LINES = 60;

export const incidentTimeline = defineAction({
  id: 'incident timeline',
  kind: 'query',
  chapter: 'Incidents',
  summary: 'Show everything that happened in an incident: updates, escalations, approvals, runs',
  input: z.object({ id: incidentIdOption }),
  risk: 'read',
  permission: 'incident.timeline',
  examples: ['incident timeline', 'incident timeline --id INC-20261123-003'],
  run: async (input, ctx) => {
    const incident = await incidentFor(ctx, input.id);
    const lines = timelineLines(await loadTimeline(ctx.deps.incidents.deps.store, incident.id));
    const shown =
      lines.length > MAX_LINES
        ? [`_…${lines.length - MAX_LINES} earlier events in the attached file_`, ...lines.slice(-MAX_LINES)]
        : lines;
    const text = `Timeline of ${incident.id} (${incident.status}):\n${shown.join('\n')}`;
    return {
      text: text.slice(0, 3000),
      blocks: [
        header(`Timeline of ${incident.id}`),
        ...sections(shown.join('\n') || '_Nothing recorded yet._').slice(0, 40),
      ],
      ...(lines.length > MAX_LINES
        ? { file: { filename: `timeline-${incident.id}.txt`, content: lines.join('\n') } }
        : {}),
    };
  },
});
