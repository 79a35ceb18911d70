import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { rejectReasonModal } from '../permissions/approval-message.ts';
import type { ClickOrigin, ClickResult } from '../permissions/approval-types.ts';
import { errorReply } from '../handlers/core/error-reply.ts';
import { failClosed } from './fail-closed.ts';
import { requestScope, type BotServices } from './request-scope.ts';

/** Where the click came from, as Slack says (container, view, block), for binding it to its request. */
export function clickOrigin(body: BlockButtonAction, blockId: string): ClickOrigin {
  const container = body.container as {
    type?: string;
    channel_id?: string;
    message_ts?: string;
    is_ephemeral?: boolean;
  };
  if (container.type === 'view') {
    const view = body.view as { type?: string; blocks?: Array<{ block_id?: string }> } | undefined;
    return {
      kind: 'view',
      viewType: view?.type ?? '',
      viewBlockIds: (view?.blocks ?? []).map((b) => b.block_id ?? ''),
      blockId,
    };
  }
  if (container.is_ephemeral) return { kind: 'ephemeral', blockId };
  return { kind: 'message', channel: container.channel_id ?? '', ts: container.message_ts ?? '', blockId };
}

/** Buttons on approval messages and the reject-reason modal. Button values carry only the request id. */
export function registerApprovalListeners(app: App, { deps, approvalService }: BotServices, baseLogger: Logger): void {
  const scope = (context: Record<string, unknown>) => requestScope(context, baseLogger);

  const tell = async (body: BlockButtonAction, result: ClickResult) => {
    if (!result.notice || !body.channel) return;
    await deps.notifier.ephemeral({ channel: body.channel.id, user: body.user.id, text: result.notice });
  };

  type Decide = (
    id: string,
    body: BlockButtonAction,
    requestId: string,
    logger: Logger,
    origin: ClickOrigin,
  ) => Promise<ClickResult>;
  const onButton =
    (decide: Decide) =>
    async ({
      ack,
      body,
      action,
      context,
    }: {
      ack: () => Promise<void>;
      body: BlockButtonAction;
      action: { value?: string; block_id?: string };
      context: Record<string, unknown>;
    }) => {
      await ack();
      const { requestId, logger } = scope(context);
      try {
        await tell(
          body,
          await decide(action.value ?? '', body, requestId, logger, clickOrigin(body, action.block_id ?? '')),
        );
      } catch (error) {
        await tell(body, { notice: errorReply(failClosed(error), logger).text });
      }
    };

  const clicker = (body: BlockButtonAction) => ({
    userId: body.user.id,
    teamId: body.team?.id ?? body.user.team_id ?? '',
  });

  app.action<BlockButtonAction>(
    'approval:approve',
    onButton((id, body, requestId, logger, origin) =>
      approvalService.approve(id, clicker(body), requestId, logger, origin),
    ),
  );

  app.action<BlockButtonAction>(
    'approval:cancel',
    onButton((id, body, requestId, _logger, origin) => approvalService.cancel(id, clicker(body), requestId, origin)),
  );

  app.action<BlockButtonAction>(
    'approval:reject',
    onButton(async (id, body, requestId, _logger, origin) => {
      await approvalService.checkReject(id, clicker(body), requestId, origin);
      await deps.notifier.openModal(body.trigger_id, rejectReasonModal(id));
      return {};
    }),
  );

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
    const { requestId, logger } = scope(context);
    const who = { userId: body.user.id, teamId: body.team?.id ?? body.user.team_id ?? '' };
    // The modal is closed by now: whatever happens is told in the request's channel, failures included.
    const request = await deps.approvals.get(view.private_metadata).catch(() => undefined);
    let notice: string | undefined;
    try {
      notice = (await approvalService.reject(view.private_metadata, who, reason, requestId)).notice;
    } catch (error) {
      notice = errorReply(failClosed(error), logger).text;
    }
    if (!notice || !request) return;
    try {
      await deps.notifier.ephemeral({ channel: request.channelId, user: who.userId, text: notice });
    } catch (err) {
      logger.warn({ err }, 'could not tell the rejecter the outcome');
    }
  });
}
