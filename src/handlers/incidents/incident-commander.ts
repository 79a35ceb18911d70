import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { incidentFor, incidentIdOption, userRef } from './incident-inputs.ts';

export const incidentCommander = defineAction({
  id: 'incident commander',
  kind: 'change',
  chapter: 'Incidents',
  summary: 'Make someone (or yourself: `me`) the incident commander',
  positional: ['user'],
  input: z.object({
    user: z.string().min(2).describe('@someone, or me'),
    id: incidentIdOption,
  }),
  risk: 'change',
  permission: 'incident.commander',
  examples: ['incident commander me', 'incident commander <@U0BOB> --id INC-20261123-003'],
  run: async (input, ctx) => {
    const commander = userRef(input.user, ctx.invoker.userId);
    const incident = await incidentFor(ctx, input.id);
    // A second press of "I'm commander" (or the same command again) changes nothing and says so.
    if (incident.commander === commander)
      return { text: `<@${commander}> is already the commander of ${incident.id}.` };
    await ctx.deps.incidents.setCommander(incident, commander, ctx.invoker.userId);
    return { text: `<@${commander}> is now the commander of ${incident.id}.` };
  },
});
