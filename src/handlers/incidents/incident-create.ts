import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { incidentTypeSchema, severitySchema } from '../../config/incident-policy.ts';
import { defineAction } from '../core/define-action.ts';
import { context, section } from '../core/reply.ts';
import { incidentsOf, systemsOption } from './incident-inputs.ts';
import { createIncidentModal } from './incident-modal.ts';

export const incidentCreate = defineAction({
  id: 'incident create',
  chapter: 'Incidents',
  summary: 'Declare an incident: war-room channel, response team, pinned status template, escalation (no options: a form)',
  input: z.object({
    title: z.string().min(3).max(120).optional().describe('what is wrong, in a few words'),
    severity: severitySchema.optional(),
    type: incidentTypeSchema.default('ops'),
    systems: systemsOption,
    description: z.string().max(2900).default('').describe('what is known so far'),
  }),
  risk: 'change',
  permission: 'incident.create',
  examples: [
    'incident create --title "Orders failing at the broker" --severity high --type ops --systems execution-engine,risk-manager',
    'incident create --title "Suspicious admin logins" --severity critical --type security --systems auth-service',
  ],
  run: async (input, ctx) => {
    const service = incidentsOf(ctx);
    if (!input.title && !input.severity) {
      if (!ctx.invoker.triggerId) throw new AppError('invalid_arguments', 'Give at least `--title` and `--severity`.');
      await ctx.deps.notifier.openModal(ctx.invoker.triggerId, createIncidentModal(service.systems, ctx.invoker.channelId));
      return { text: 'Opening the incident form…' };
    }
    if (!input.title || !input.severity) {
      throw new AppError('invalid_arguments', 'An incident needs both `--title` and `--severity critical|high|medium|low`.', {
        hints: ['Or run `/eafix incident create` alone for a form.'],
      });
    }
    const opened = await service.open({
      title: input.title,
      severity: input.severity,
      type: input.type,
      systems: input.systems,
      description: input.description,
      requestedBy: ctx.invoker.userId,
      requestId: ctx.requestId,
      teamId: ctx.invoker.teamId,
      originChannel: ctx.invoker.channelId,
    });
    const text = `:rotating_light: <@${ctx.invoker.userId}> declared *${opened.id}* (${input.severity}, ${input.type}): ${input.title}. War room: <#${opened.channelId}>`;
    const blocks = [section(text)];
    if (opened.problems.length) blocks.push(context(`:warning: ${opened.problems.join('; ')}`));
    return { text, blocks, visibility: 'in_channel' };
  },
});
