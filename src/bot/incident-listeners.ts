import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import { onButton, type ButtonInvocation } from './button-invoke.ts';
import { toChannelOrClicker } from './button-replies.ts';
import type { BotServices } from './request-scope.ts';

/** A checklist button's value: the incident and what the button stands for (`INC-…|2`, `INC-…|ciso`). */
const split = (value: string) => {
  const [id = '', rest = ''] = value.split('|');
  return { id, rest };
};
/** A button's place in its list; anything else (an altered value) is NaN, which the action's input refuses. */
const place = (text: string) => (/^\d{1,3}$/.test(text) ? Number(text) : Number.NaN);

/**
 * Incident buttons (acknowledge, commander, checklist phases, contacts, containment), each its action on
 * the one invocation path as the clicker: the action binds the click to the war room's template or
 * checklist message (a stale or altered button is refused and audited). What the channel should see is
 * posted there; the rest goes to the clicker alone. The declare-incident form is in action-forms.ts.
 */
export function registerIncidentListeners(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  const button = (invocation: ButtonInvocation) => onButton(services, baseLogger, invocation, toChannelOrClicker);

  app.action<BlockButtonAction>(
    'incident:ack',
    button((id) => ({ actionId: 'incident ack', input: { id } })),
  );
  app.action<BlockButtonAction>(
    'incident:commander',
    button((id) => ({ actionId: 'incident commander', input: { id, user: 'me' } })),
  );
  app.action<BlockButtonAction>(
    /^incident:phase:\d+$/,
    button((value) => {
      const { id, rest } = split(value);
      return { actionId: 'incident phase', input: { id, phase: place(rest) + 1 } };
    }),
  );
  // Paging an emergency contact is the `contacts page` action, with its own permission and audit row.
  app.action<BlockButtonAction>(
    /^incident:page:\d+$/,
    button((value) => {
      const { id, rest } = split(value);
      return { actionId: 'contacts page', input: { id, contact: rest } };
    }),
  );
  // Containment runs the policy's command as the clicker, through the same path as typing it.
  app.action<BlockButtonAction>(
    /^incident:contain:\d+$/,
    button((value) => {
      const { id, rest } = split(value);
      return { actionId: 'incident contain', input: { id, option: place(rest) } };
    }),
  );
}
