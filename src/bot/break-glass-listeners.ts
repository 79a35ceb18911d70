import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import { invoke } from '../handlers/core/invoke.ts';
import { breakGlassClickMismatch } from '../permissions/break-glass-binding.ts';
import { invokeDepsOf, requestScope, type BotServices } from './request-scope.ts';

/**
 * "Sign off" on a break-glass use: the `approvals signoff` action, once the click is bound to the use the
 * reviewer was shown (a stale or altered button is refused and audited here, where the click is known).
 */
export function registerBreakGlassListeners(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  const { deps } = services;
  app.action<BlockButtonAction>('breakglass:signoff', async ({ ack, body, action, respond, context }) => {
    await ack();
    const { requestId, logger } = requestScope(context, baseLogger);
    const reviewer = body.user.id;
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    const use = await deps.breakGlass.get(action.value ?? '');
    const container = body.container as { is_ephemeral?: boolean };
    const mismatch =
      use &&
      use.teamId === teamId &&
      breakGlassClickMismatch(use, { blockId: action.block_id, ephemeral: container.is_ephemeral === true });
    let notice: string;
    if (use && mismatch) {
      await deps.audit.record({
        requestId,
        teamId: use.teamId,
        channelId: body.channel?.id,
        userId: reviewer,
        action: 'break-glass.click-refused',
        arguments: { use: use.id },
        outcome: 'rejected:not_bound',
        detail: mismatch,
      });
      notice =
        ':no_entry: That sign-off button does not match the break-glass use it shows (a stale or altered message). Nothing was signed off; run `/eafix approvals review` again.';
    } else {
      const invoker = { userId: reviewer, teamId, channelId: body.channel?.id ?? '' };
      const outcome = await invoke(
        { command: { actionId: 'approvals signoff', input: { use: action.value ?? '' } }, invoker, requestId, logger },
        invokeDepsOf(services),
      );
      notice = outcome.reply.text;
    }
    logger.info({ use: action.value, reviewer }, 'break-glass review click');
    await respond({ response_type: 'ephemeral', replace_original: false, text: notice });
  });
}
