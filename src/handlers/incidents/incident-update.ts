import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { incidentStatusSchema } from './incident-types.ts';
import { incidentFor, incidentIdOption } from './incident-inputs.ts';

export const incidentUpdate = defineAction({
  id: 'incident update',
  kind: 'change',
  chapter: 'Incidents',
  summary: 'Post a status update in the war room and reset the update reminder',
  positional: ['text'],
  positionalRest: true,
  input: z.object({
    text: z.string().min(3, 'say what changed').max(2800).describe('what is known now'),
    status: incidentStatusSchema.optional(),
    id: incidentIdOption,
  }),
  risk: 'change',
  permission: 'incident.update',
  examples: ['incident update Root cause is a bad config push; rolling back --status identified'],
  run: async (input, ctx) => {
    const incident = await incidentFor(ctx, input.id);
    const next = await ctx.deps.incidents.update(incident, input.text, input.status, ctx.invoker.userId);
    return { text: `Update posted in <#${next.channelId ?? ctx.invoker.channelId}>; status *${next.status}*.` };
  },
});
