import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { incidentFor, incidentIdOption } from './incident-inputs.ts';

export const incidentAck = defineAction({
  id: 'incident ack',
  kind: 'change',
  chapter: 'Incidents',
  summary: 'Acknowledge an incident: stops escalation and paging',
  input: z.object({ id: incidentIdOption }),
  risk: 'change',
  permission: 'incident.ack',
  examples: ['incident ack', 'incident ack --id INC-20261123-003'],
  run: async (input, ctx) => {
    const incident = await incidentFor(ctx, input.id);
    const result = await ctx.deps.incidents.acknowledge(incident, ctx.invoker.userId);
    if (!result.first) {
      const by = result.incident.acknowledgedBy;
      return { text: by ? `${incident.id} was already acknowledged by <@${by}>.` : `${incident.id} is resolved.` };
    }
    return { text: `You acknowledged ${incident.id}; escalation stopped.` };
  },
});
