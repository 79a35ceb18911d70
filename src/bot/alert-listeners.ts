import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import { AppError } from '../app-error.ts';
import { alertButtonIds, invocationFor, type AlertButtonId } from '../alerts/alert-buttons.ts';
import type { AlertGroup } from '../alerts/alert-log.ts';
import type { ClickOrigin } from '../handlers/core/click-origin.ts';
import { onButton, type ButtonDelivery, type Invocation } from './button-invoke.ts';
import { toClickerPrivately } from './button-replies.ts';
import type { BotServices } from './request-scope.ts';

const STALE =
  'That alert button is stale or altered (no such alert group or playbook, or its message no longer offers it). Nothing was done.';

/** Whether the group's message, as it is now, shows this button (see renderAlertGroup). */
const stillOffered = (group: AlertGroup, buttonId: string) =>
  group.firing && (buttonId !== 'alert:incident' || !group.incidentId);

/**
 * The alert message's buttons (Diagnose…, Roll back the last deploy, Open incident): each runs its action
 * as the person who clicks, on the one invocation path (RBAC failing closed, replay, audit, approval).
 * The click must sit on its own group's message (block ids name the group) while that message still
 * offers it, and Open incident only while no incident of that title is open; anything else is refused
 * and audited. A diagnosis's findings go to the alert's thread for everyone, as does what the action
 * means for the channel; refusals and approval notices to the clicker.
 */
export function registerAlertListeners(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  const { deps, alerts } = services;
  const invocation = async (groupId: string, buttonId: string, click: ClickOrigin): Promise<Invocation> => {
    const onItsMessage = click.kind === 'message' && click.blockId === `alert:${groupId}`;
    const group = onItsMessage ? await alerts.get(groupId) : undefined;
    const command =
      group &&
      stillOffered(group, buttonId) &&
      invocationFor(buttonId as AlertButtonId, group, deps.topology, deps.incidents.systems);
    if (!command) throw new AppError('alert_button_stale', STALE);
    if (buttonId === 'alert:incident') await refuseWhileOpen(String(command.input.title));
    return command;
  };
  /** Open incident stays on the message: a second press while its incident is open opens nothing new. */
  const refuseWhileOpen = async (title: string) => {
    const open = (await deps.incidents.deps.store.listOpen(1_000)).find((incident) => incident.title === title);
    if (open)
      throw new AppError(
        'alert_incident_open',
        `${open.id} is already open for this alert${open.channelId ? ` (<#${open.channelId}>)` : ''}. Nothing new was opened.`,
      );
  };
  for (const buttonId of alertButtonIds) {
    app.action<BlockButtonAction>(buttonId, onButton(services, baseLogger, invocation, toAlertThread));
  }
}

/** Findings and channel-wide outcomes in the alert's thread (one message per click); the rest privately. */
const toAlertThread: ButtonDelivery = async (outcome, click) => {
  const { reply } = outcome;
  const container = click.body.container as { channel_id?: string; message_ts?: string };
  const buttonId = click.body.actions[0]?.action_id;
  const inThread = outcome.outcome === 'ok' && (buttonId === 'alert:diagnose' || reply.visibility === 'in_channel');
  if (!inThread || !container.channel_id || !container.message_ts) return toClickerPrivately(outcome, click);
  try {
    await click.services.deps.notifier.send({
      channel: container.channel_id,
      threadTs: container.message_ts,
      text: reply.text,
      ...(reply.blocks ? { blocks: reply.blocks } : {}),
      key: `alert-reply:${click.requestId}`,
    });
  } catch (err) {
    click.logger.warn({ err }, 'alert button reply could not be delivered');
  }
};
