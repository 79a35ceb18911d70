import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import type { Invoker } from '../handlers/core/define-action.ts';
import { invoke } from '../handlers/core/invoke.ts';
import { alertButtonIds, invocationFor } from '../alerts/alert-buttons.ts';
import { invokeDepsOf, requestScope, type BotServices } from './request-scope.ts';

/**
 * The alert message's buttons (Diagnose…, Roll back the last deploy, Open incident): each runs its action
 * as the person who clicks, through the one invocation path (RBAC, audit, approval). A diagnosis's
 * findings go to the alert's thread for everyone; refusals and approval notices to the clicker alone.
 */
export function registerAlertListeners(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  const { deps, alerts } = services;
  for (const buttonId of alertButtonIds) {
    app.action<BlockButtonAction>(buttonId, async ({ ack, body, action, context, respond }) => {
      await ack();
      const { requestId, logger } = requestScope(context, baseLogger);
      const tellClicker = (text: string, blocks?: unknown[]) =>
        respond({ response_type: 'ephemeral', replace_original: false, text, ...(blocks ? { blocks } : {}) }).catch(
          (err: unknown) => logger.warn({ err }, 'alert button reply could not be delivered'),
        );
      const groupId = action.value ?? '';
      const container = body.container as { channel_id?: string; message_ts?: string };
      // The button must sit on its own group's message (block ids name the group).
      const group = action.block_id === `alert:${groupId}` ? await alerts.get(groupId) : undefined;
      const invocation = group && invocationFor(buttonId, group, deps.topology, deps.incidents.systems);
      if (!invocation) {
        await tellClicker('That alert button is stale or altered (no such alert group or playbook). Nothing was done.');
        return;
      }
      const invoker: Invoker = {
        userId: body.user.id,
        teamId: body.team?.id ?? body.user.team_id ?? '',
        channelId: body.channel?.id ?? container.channel_id ?? '',
        ...(body.trigger_id ? { triggerId: body.trigger_id } : {}),
      };
      const outcome = await invoke(
        { command: { actionId: invocation.actionId, input: invocation.input }, invoker, requestId, logger },
        invokeDepsOf(services),
      );
      const { reply } = outcome;
      const inThread = outcome.outcome === 'ok' && (buttonId === 'alert:diagnose' || reply.visibility === 'in_channel');
      if (inThread && container.channel_id && container.message_ts) {
        await deps.notifier.send({
          channel: container.channel_id,
          threadTs: container.message_ts,
          text: reply.text,
          ...(reply.blocks ? { blocks: reply.blocks } : {}),
          key: `alert-reply:${requestId}`,
        });
      } else {
        await tellClicker(reply.text, reply.blocks);
      }
    });
  }
}
