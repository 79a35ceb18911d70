import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction, type ActionStep } from '../core/define-action.ts';
import { incidentIdPattern } from './incident-types.ts';
import { warRoomSteps } from './war-room.ts';

/**
 * An incident's war room as a resumable run: `incident create` (and rollback's last step) start it, and
 * a person may run it again to finish a set-up that failed (Slack down for longer than a step retries).
 */
export const incidentSetup = defineAction({
  id: 'incident setup',
  kind: 'planned',
  chapter: 'Incidents',
  summary:
    "Set up (or finish setting up) an incident's war room: channel, purpose, topic, team, pinned template, checklist, announcement",
  positional: ['id'],
  input: z.object({
    id: z
      .string()
      .transform((id) => id.toUpperCase())
      .pipe(z.string().regex(incidentIdPattern, 'must be an incident id such as INC-20261124-001'))
      .describe('the incident'),
  }),
  risk: 'change',
  permission: 'incident.create',
  approval: 'none',
  examples: ['incident setup INC-20261124-001'],
  plan: async ({ id }, { deps, invoker }) => {
    const incident = await deps.incidents.find({ id, channelId: invoker.channelId });
    if (incident.status === 'resolved') throw new AppError('incident_resolved', `${incident.id} is already resolved.`);
    if (incident.setup.announced)
      throw new AppError(
        'nothing_to_change',
        `The war room of ${incident.id} is already set up: <#${incident.channelId}>.`,
      );
    return warRoomSteps.map((step) => ({
      description: `${step.title} (${incident.id})`,
      change: { incident: incident.id, step: step.id },
    }));
  },
  target: ({ id }) => `incident:${id}`,
  steps: warRoomSteps.map((step): ActionStep<{ id: string }> => ({
    id: step.id,
    title: step.title,
    run: async ({ input, deps }) => {
      const summary = await step.run(deps.incidents.deps, input.id);
      return summary ? { summary } : {};
    },
  })),
});
