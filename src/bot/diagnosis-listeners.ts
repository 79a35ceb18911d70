import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import { invoke } from '../handlers/core/invoke.ts';
import { invokeDepsOf, requestScope, type BotServices } from './request-scope.ts';

/**
 * A diagnosis's remedy buttons: each carries the command the runbook prescribes (`scale risk-manager 5
 * --reason …`), run as the person who clicks exactly as if typed, so its own action's permission, audit
 * and approval apply (a click grants nothing the clicker could not type).
 */
export function registerDiagnosisListeners(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  app.action<BlockButtonAction>(/^diagnose:remedy:\d+$/, async ({ ack, body, action, context, respond }) => {
    await ack();
    const { requestId, logger } = requestScope(context, baseLogger);
    const container = body.container as { channel_id?: string };
    const outcome = await invoke(
      {
        command: { text: action.value ?? '' },
        invoker: {
          userId: body.user.id,
          teamId: body.team?.id ?? body.user.team_id ?? '',
          channelId: body.channel?.id ?? container.channel_id ?? '',
          ...(body.trigger_id ? { triggerId: body.trigger_id } : {}),
        },
        requestId,
        logger,
      },
      invokeDepsOf(services),
    );
    const { reply } = outcome;
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text: reply.text,
      ...(reply.blocks ? { blocks: reply.blocks } : {}),
    }).catch((err: unknown) => logger.warn({ err }, 'remedy reply could not be delivered'));
  });
}
