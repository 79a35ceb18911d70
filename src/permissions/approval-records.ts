import type { ActionDeps } from '../handlers/core/action-deps.ts';
import { approvalMessage } from './approval-message.ts';
import type { ApprovalRequest } from './approval-types.ts';

/** Shows the request as it stands on its approval message (once the message's ts is known). */
export async function refreshApprovalMessage(
  deps: Pick<ActionDeps, 'notifier'>,
  request: ApprovalRequest,
): Promise<void> {
  if (!request.messageChannel || !request.messageTs) return;
  await deps.notifier.update({
    channel: request.messageChannel,
    ts: request.messageTs,
    ...approvalMessage(request),
  });
}

/** What a click on an already decided request is told: who decided, and that nothing more happens. */
export function decidedNotice(request: ApprovalRequest): string {
  const who = request.decidedBy ? ` by <@${request.decidedBy}>` : '';
  switch (request.status) {
    case 'approved':
    case 'executed':
    case 'failed':
      return `Already approved${who}; it runs once.`;
    case 'rejected':
      return `Already rejected${who}.`;
    case 'cancelled':
      return `Already cancelled${who}.`;
    case 'expired':
      return 'This request has expired.';
    default:
      return `This request is ${request.status}.`;
  }
}
