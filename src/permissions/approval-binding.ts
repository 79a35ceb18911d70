import { AppError } from '../app-error.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import { parseApprovalBlockId, shownPlanHash } from './approval-message.ts';
import { auditApproval } from './request-approval.ts';
import type { ApprovalRequest, ClickOrigin, Clicker } from './approval-types.ts';

/** Unknown ids and requests of another workspace get the same answer: nothing to see here. */
/** The request an id names, read only when the id has a request id's shape. */
export async function readRequest(
  deps: Pick<ActionDeps, 'approvals'>,
  id: string,
): Promise<ApprovalRequest | undefined> {
  return /^apr_[0-9a-f]{12}$/.test(id) ? deps.approvals.get(id) : undefined;
}

export async function requestInWorkspace(
  deps: Pick<ActionDeps, 'approvals'>,
  id: string,
  clicker: Clicker,
  alreadyRead?: ApprovalRequest,
): Promise<ApprovalRequest> {
  const request = alreadyRead?.id === id ? alreadyRead : await readRequest(deps, id);
  if (!request || request.teamId !== clicker.teamId) {
    throw new AppError('approval_not_found', 'That approval request does not exist (or is not from this workspace).');
  }
  return request;
}

/**
 * The request a click is about, only when the container, the block and the value all name the same
 * request and the plan shown is the request's plan. Anything else is refused and audited.
 */
export async function boundRequest(
  deps: Pick<ActionDeps, 'approvals' | 'audit'>,
  id: string,
  clicker: Clicker,
  origin: ClickOrigin,
  requestId: string,
  alreadyRead?: ApprovalRequest,
): Promise<ApprovalRequest> {
  const request = await requestInWorkspace(deps, id, clicker, alreadyRead);
  const mismatch = originMismatch(request, origin);
  if (!mismatch) return request;
  await auditApproval(deps, request, clicker.userId, 'approval.click-refused', requestId, mismatch);
  if (origin.kind === 'message' && !request.messageTs) {
    // The message reached Slack a moment before its ts was recorded (it goes through the outbox).
    throw new AppError(
      'approval_message_pending',
      'This approval message is still being recorded, so your click could not be matched to it. Nothing was done; press the button again in a moment.',
    );
  }
  throw new AppError(
    'approval_not_bound',
    'That button does not match the approval request shown with it (a stale or altered message). Nothing was done.',
    { hints: ['Use the buttons on the approval message itself, or `/eafix approvals` for the current requests.'] },
  );
}

/** Why a click's origin does not belong to the request, or undefined when it does. */
export function originMismatch(request: ApprovalRequest, origin: ClickOrigin): string | undefined {
  const bound = parseApprovalBlockId(origin.blockId);
  if (!bound || bound.id !== request.id) return `block ${origin.blockId.slice(0, 80)} is not request ${request.id}'s`;
  if (bound.planHash !== shownPlanHash(request))
    return `plan shown (${bound.planHash}) is not the request's plan (${shownPlanHash(request)})`;
  switch (origin.kind) {
    case 'message':
      if (request.messageChannel !== origin.channel || request.messageTs !== origin.ts) {
        return `message ${origin.channel}/${origin.ts} is not request ${request.id}'s approval message`;
      }
      return undefined;
    case 'view':
      if (origin.viewType !== 'home' || !origin.viewBlockIds.includes(origin.blockId))
        return `the ${origin.viewType} view does not show request ${request.id}`;
      return undefined;
    case 'ephemeral':
      return undefined;
  }
}
