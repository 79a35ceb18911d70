import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/action-deps.ts';
import { rejectReasonModal } from '../permissions/approval-message.ts';
import type { ClickResult } from '../permissions/approval-service.ts';
import { errorReply } from './error-reply.ts';
import { failClosed } from './fail-closed.ts';
import { newRequestId } from './slack-http-receiver.ts';


/** Buttons on approval messages and the reject-reason modal. Button values carry only the request id. */
export function registerApprovalListeners(app: App, deps: ActionDeps, baseLogger: Logger): void {
  const scope = (context: Record<string, unknown>) => {
    const requestId = (context.requestId as string | undefined) ?? newRequestId();
    return { requestId, logger: (context.requestLogger as Logger | undefined) ?? baseLogger.child({ requestId }) };
  };

  const tell = async (body: BlockButtonAction, result: ClickResult) => {
    if (!result.notice || !body.channel) return;
    await deps.notifier.ephemeral({ channel: body.channel.id, user: body.user.id, text: result.notice });
  };

  const onButton = (decide: (id: string, body: BlockButtonAction, requestId: string, logger: Logger) => Promise<ClickResult>) =>
    async ({ ack, body, action, context }: { ack: () => Promise<void>; body: BlockButtonAction; action: { value?: string }; context: Record<string, unknown> }) => {
      await ack();
      const { requestId, logger } = scope(context);
      try {
        await tell(body, await decide(action.value ?? '', body, requestId, logger));
      } catch (error) {
        await tell(body, { notice: errorReply(failClosed(error), logger).text });
      }
    };

  const clicker = (body: BlockButtonAction) => ({ userId: body.user.id, teamId: body.team?.id ?? body.user.team_id ?? '' });

  app.action<BlockButtonAction>('approval:approve', onButton((id, body, requestId, logger) =>
    deps.approvalService.approve(id, clicker(body), requestId, logger)));

  app.action<BlockButtonAction>('approval:cancel', onButton((id, body, requestId) =>
    deps.approvalService.cancel(id, clicker(body), requestId)));

  app.action<BlockButtonAction>('approval:reject', onButton(async (id, body) => {
    await deps.notifier.openModal(body.trigger_id, rejectReasonModal(id));
    return {};
  }));

  app.view('approval:reject-reason', async ({ ack, body, view, context }) => {
    const reason = view.state.values.reason?.value?.value?.trim() ?? '';
    if (reason.length < 3) {
      await ack({ response_action: 'errors', errors: { reason: 'Say in a few words why, for the requester and the audit log.' } });
      return;
    }
    await ack();
    const { requestId, logger } = scope(context);
    const who = { userId: body.user.id, teamId: body.team?.id ?? body.user.team_id ?? '' };
    try {
      const result = await deps.approvalService.reject(view.private_metadata, who, reason, requestId);
      const request = await deps.approvals.get(view.private_metadata);
      if (result.notice && request) await deps.notifier.ephemeral({ channel: request.channelId, user: who.userId, text: result.notice });
    } catch (error) {
      logger.warn({ err: error }, 'reject failed');
    }
  });
}
