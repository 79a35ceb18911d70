import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { incidentTypeSchema, severitySchema } from '../../config/incident-policy.ts';
import { defineAction } from '../core/define-action.ts';
import { section } from '../core/reply.ts';
import { systemsOption } from './incident-inputs.ts';
import { createIncidentModal } from './incident-modal.ts';

const TITLE_MAX = 120;

/** A title from a description's first line, cut at a word within the title's limit. */
function titleFrom(description: string): string | undefined {
  const line = description.trim().split('\n')[0]?.trim() ?? '';
  if (line.length < 3) return undefined;
  if (line.length <= TITLE_MAX) return line;
  const cut = line.slice(0, TITLE_MAX - 1);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 40 ? cut.lastIndexOf(' ') : cut.length)}…`;
}

export const incidentCreate = defineAction({
  id: 'incident create',
  kind: 'change',
  chapter: 'Incidents',
  summary:
    'Declare an incident: war-room channel, response team, pinned status template, escalation (no options: a form)',
  input: z
    .object({
      title: z
        .string()
        .min(3, 'say in a few words what is wrong')
        .max(TITLE_MAX)
        .optional()
        .describe('what is wrong, in a few words (left out: the description’s first line)'),
      severity: severitySchema.optional(),
      type: incidentTypeSchema.default('ops'),
      systems: systemsOption,
      description: z.string().max(2900).default('').describe('what is known so far'),
    })
    // Neither opens the form; one without the other is a mistake, told on the missing field (also in the form).
    .superRefine((input, ctx) => {
      if (input.title !== undefined && input.severity === undefined)
        ctx.addIssue({ code: 'custom', path: ['severity'], message: 'pick a severity: critical, high, medium or low' });
      // The runbook's own form gives a description and no title: its first words are the title.
      if (input.severity !== undefined && input.title === undefined && input.description.trim().length < 3)
        ctx.addIssue({ code: 'custom', path: ['title'], message: 'say in a few words what is wrong' });
    }),
  risk: 'change',
  permission: 'incident.create',
  examples: [
    'incident create --title "Orders failing at the broker" --severity high --type ops --systems execution-engine,risk-manager',
    'incident create --title "Suspicious admin logins" --severity critical --type security --systems auth-service',
    'incident create --type=security --severity=high --description="Repeated failed admin logins from one ASN"',
  ],
  run: async (input, ctx) => {
    const service = ctx.deps.incidents;
    if (!input.title && !input.severity) {
      if (!ctx.invoker.triggerId) throw new AppError('invalid_arguments', 'Give at least `--title` and `--severity`.');
      await ctx.deps.notifier.openModal(
        ctx.invoker.triggerId,
        createIncidentModal(service.systems, ctx.invoker.channelId),
      );
      return { text: 'Opening the incident form…' };
    }
    const title = input.title ?? titleFrom(input.description);
    if (!title || !input.severity)
      throw new AppError(
        'invalid_arguments',
        'An incident needs both `--title` (or `--description`) and `--severity critical|high|medium|low`.',
      );
    const opened = await service.open({
      title,
      severity: input.severity,
      type: input.type,
      systems: input.systems,
      description: input.description,
      requestedBy: ctx.invoker.userId,
      requestId: ctx.requestId,
      teamId: ctx.invoker.teamId,
      originChannel: ctx.invoker.channelId,
      // A button declares what its message is about: pressed twice (or by two people at once), one incident.
      onePerOpenTitle: ctx.click !== undefined,
    });
    if (opened.alreadyOpen)
      throw new AppError(
        'incident_already_open',
        `${opened.id} is already open for this${opened.channelId ? ` (<#${opened.channelId}>)` : ''}. Nothing new was opened.`,
      );
    const where = opened.channelId
      ? `War room: <#${opened.channelId}>`
      : `The war room is being set up (run \`${opened.setupRunId}\`) and will be announced in #${ctx.deps.channels.incidents}.`;
    const text = `:rotating_light: <@${ctx.invoker.userId}> declared *${opened.id}* (${input.severity}, ${input.type}): ${input.title}. ${where}`;
    const blocks = [section(text)];
    return { text, blocks, visibility: 'in_channel' };
  },
});
