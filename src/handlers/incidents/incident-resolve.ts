import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { incidentFor, incidentIdOption } from './incident-inputs.ts';

export const incidentResolve = defineAction({
  id: 'incident resolve',
  kind: 'change',
  chapter: 'Incidents',
  summary: 'Resolve an incident: final update, topic, timers cancelled, postmortem draft uploaded',
  input: z.object({
    summary: z
      .string()
      .min(5, 'say in a sentence what happened and what fixed it')
      .max(2800)
      .describe('what happened and what fixed it'),
    id: incidentIdOption,
  }),
  risk: 'change',
  permission: 'incident.resolve',
  examples: ['incident resolve --summary "Bad config push rolled back; orders flowing since 14:20"'],
  run: async (input, ctx) => {
    const incident = await incidentFor(ctx, input.id);
    const resolved = await ctx.deps.incidents.resolve(incident, input.summary, ctx.invoker.userId);
    return {
      text: `${resolved.id} resolved. The postmortem draft is in <#${resolved.channelId ?? ctx.invoker.channelId}>.`,
    };
  },
});
