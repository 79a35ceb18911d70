import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import type { ActionContext } from '../core/define-action.ts';
import type { Incident } from './incident-types.ts';
import { clickedIncident } from './incident-click.ts';

/** `--id INC-20261123-003`; without it, the war room the command is typed in. */
export const incidentIdOption = z
  .string()
  .regex(/^inc-\d{8}-\d{3,}$/i, 'must be an incident id like INC-20261123-003')
  .optional()
  .describe('the incident (default: the war room you are in)');

/** System names end up in channel text and containment commands: keep them to plain identifiers. */
export const systemsOption = z
  .array(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, 'system names are letters, digits, dots, dashes'))
  .max(20)
  .default([])
  .describe('affected systems, comma-separated');

/** The incident a command refers to; from a button, the one its war-room message shows (clickedIncident). */
export function incidentFor(context: ActionContext, id: string | undefined): Promise<Incident> {
  if (context.click) return clickedIncident(context, context.click, id);
  return context.deps.incidents.find({ id, channelId: context.invoker.channelId });
}

/** `<@U0BOB>`, `<@U0BOB|bob>`, `U0BOB` or `me`. */
export function userRef(text: string, self: string): string {
  if (text.toLowerCase() === 'me') return self;
  const match = /^<?@?([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?$/.exec(text.trim());
  if (!match?.[1]) {
    throw new AppError(
      'invalid_arguments',
      `\`${text}\` is not a Slack user. Mention them (\`@name\`, which Slack sends as <@U…>) or say \`me\`.`,
    );
  }
  return match[1];
}
