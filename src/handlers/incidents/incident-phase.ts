import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { incidentFor, incidentIdOption } from './incident-inputs.ts';

export const incidentPhase = defineAction({
  id: 'incident phase',
  kind: 'change',
  chapter: 'Incidents',
  summary: 'Mark a security response phase done (1 detection … 5 lessons learned) on the checklist',
  positional: ['phase'],
  input: z.object({
    phase: z.coerce.number().int().min(1).max(10).describe('the phase number on the checklist'),
    id: incidentIdOption,
  }),
  risk: 'change',
  permission: 'incident.update',
  examples: ['incident phase 1', 'incident phase 2 --id INC-20261123-003'],
  run: async (input, ctx) => {
    const incident = await incidentFor(ctx, input.id);
    const done = await ctx.deps.incidents.tickPhase(incident, input.phase - 1, ctx.invoker.userId);
    return {
      text: done
        ? `Phase ${input.phase} of ${incident.id} marked done.`
        : `Phase ${input.phase} of ${incident.id} was already done.`,
    };
  },
});
