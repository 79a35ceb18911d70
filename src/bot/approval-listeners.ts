import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import { invoke } from '../handlers/core/invoke.ts';
import { failClosed } from './fail-closed.ts';
import { onButton } from './button-invoke.ts';
import { invokeDepsOf, requestScope, type BotServices } from './request-scope.ts';

/**
 * Buttons on approval messages (and on the App Home and `/eafix approvals`) and the reject-reason modal:
 * each is its `approvals approve|reject|cancel` action on the one invocation path. Button values carry
 * only the request id.
 */
export function registerApprovalListeners(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  const { deps } = services;
  const decision = (actionId: string) => onButton(services, baseLogger, (id) => ({ actionId, input: { request: id } }));
  app.action<BlockButtonAction>('approval:approve', decision('approvals approve'));
  app.action<BlockButtonAction>('approval:cancel', decision('approvals cancel'));
  // Opens the reason dialog (bound and authorised like Approve); its submission below decides.
  app.action<BlockButtonAction>('approval:reject', decision('approvals reject'));

  app.view('approval:reject-reason', async ({ ack, body, view, context }) => {
    const reason = view.state.values.reason?.value?.value?.trim() ?? '';
    if (reason.length < 3) {
      await ack({
        response_action: 'errors',
        errors: { reason: 'Say in a few words why, for the requester and the audit log.' },
      });
      return;
    }
    await ack();
    const { requestId, logger } = requestScope(context, baseLogger);
    const userId = body.user.id;
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    // The modal is closed by now: whatever happens is told in the request's channel, failures included.
    const request = await deps.approvals.get(view.private_metadata).catch(() => undefined);
    const { reply } = await invoke(
      {
        command: { actionId: 'approvals reject', input: { request: view.private_metadata, reason } },
        invoker: { userId, teamId, channelId: request?.channelId ?? '' },
        requestId,
        logger,
        replayUnverified: context.replayUnverified === true,
        explainError: failClosed,
      },
      invokeDepsOf(services),
    );
    if (!reply.text || !request) return;
    try {
      await deps.notifier.ephemeral({ channel: request.channelId, user: userId, text: reply.text });
    } catch (err) {
      logger.warn({ err }, 'could not tell the rejecter the outcome');
    }
  });
}
