import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction, type ActionContext } from '../core/define-action.ts';
import type { ClickOrigin } from '../core/click-origin.ts';
import type { Reply } from '../core/reply.ts';
import { ApprovalService, type PreparedApproval } from '../../permissions/approval-service.ts';
import { rejectReasonModal } from '../../permissions/approval-message.ts';
import type { ClickResult } from '../../permissions/approval-types.ts';

/*
 * The Approve, Reject and Cancel buttons of approval messages, as actions on the one invocation path:
 * workspace, permission (failing closed), replay and audit checks come from there, the decision itself
 * from the approval service. They are never typed (`typed: false`): a decision is bound to the message
 * it was made on. Their permission is the floor anyone shown approvals holds; the right to decide this
 * request (approver of its permission, or its requester) is checked against the request itself.
 */

const requestField = z.string().max(64).describe('the approval request id (apr_…)');

// Stateless over the actions' dependencies: one per decision costs nothing.
const service = ({ deps }: ActionContext) => new ApprovalService(deps);
const clicker = ({ invoker }: ActionContext) => ({ userId: invoker.userId, teamId: invoker.teamId });

/** The click a decision came from; a decision without one (not from its button) binds to nothing. */
function clickOf({ click }: ActionContext): ClickOrigin {
  if (click) return click;
  throw new AppError(
    'approval_not_bound',
    'A decision on an approval request is made with its buttons. Nothing was done.',
  );
}

/** An empty text: the approval message itself shows the outcome, so the clicker is told nothing more. */
const told = (result: ClickResult): Reply => ({ text: result.notice ?? '' });

export const approvalsApprove = defineAction({
  id: 'approvals approve',
  kind: 'change',
  chapter: 'Bot',
  summary: 'Approve a pending request as its second person (the Approve button)',
  positional: ['request'],
  input: z.object({ request: requestField }),
  risk: 'change',
  permission: 'approvals.read',
  typed: false,
  clusterIdentity: 'requester',
  examples: ['approvals approve apr_3f9a1c2d4e5b'],
  // The click's audit row is written in the vote's transaction; the request and, for the deciding vote,
  // its plan are read before it.
  recordsStart: true,
  prepare: ({ request }, ctx) =>
    service(ctx).prepareApprove(request, clicker(ctx), ctx.requestId, ctx.logger, ctx.click),
  run: async ({ request }, ctx) =>
    told(
      await service(ctx).approve(
        request,
        clicker(ctx),
        ctx.requestId,
        ctx.logger,
        clickOf(ctx),
        ctx.prepared as Promise<PreparedApproval> | undefined,
        ctx.recordStartWith,
      ),
    ),
});

export const approvalsReject = defineAction({
  id: 'approvals reject',
  kind: 'change',
  chapter: 'Bot',
  summary: 'Reject a pending request with a reason (the Reject button and its dialog)',
  positional: ['request'],
  input: z.object({
    request: requestField,
    reason: z.string().trim().min(3).max(3000).optional().describe('why, for the requester and the audit log'),
  }),
  risk: 'change',
  permission: 'approvals.read',
  typed: false,
  clusterIdentity: 'requester',
  examples: ['approvals reject apr_3f9a1c2d4e5b --reason="not during market hours"'],
  run: async ({ request, reason }, ctx) => {
    if (reason !== undefined) return told(await service(ctx).reject(request, clicker(ctx), reason, ctx.requestId));
    // The button: bound like Approve; only someone who may reject a pending request gets the dialog.
    await service(ctx).checkReject(request, clicker(ctx), ctx.requestId, clickOf(ctx));
    const { triggerId } = ctx.invoker;
    if (!triggerId)
      throw new AppError('approval_no_dialog', 'Slack gave no way to open the reason dialog; press Reject again.');
    await ctx.deps.notifier.openModal(triggerId, rejectReasonModal(request));
    return told({});
  },
});

export const approvalsCancel = defineAction({
  id: 'approvals cancel',
  kind: 'change',
  chapter: 'Bot',
  summary: 'Withdraw your own pending request (the Cancel button)',
  positional: ['request'],
  input: z.object({ request: requestField }),
  risk: 'change',
  permission: 'approvals.read',
  typed: false,
  clusterIdentity: 'requester',
  examples: ['approvals cancel apr_3f9a1c2d4e5b'],
  run: async ({ request }, ctx) => told(await service(ctx).cancel(request, clicker(ctx), ctx.requestId, clickOf(ctx))),
});
