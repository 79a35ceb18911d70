import { AppError, isAppError } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import {
  isResumable,
  type ActionContext,
  type AnyPlannedAction,
  type Invoker,
} from '../handlers/core/define-action.ts';
import type { Reply } from '../handlers/core/reply.ts';
import { executePlanned } from '../handlers/core/start-run.ts';
import { planHash } from './plan-hash.ts';
import { isSlackUserId } from './slack-user.ts';
import { refreshApprovalMessage } from './approval-records.ts';
import type { HeldAuditRow } from '../audit/held-audit-row.ts';
import { auditApproval } from './request-approval.ts';
import type { ApprovalRequest, PlanItem } from './approval-types.ts';

/** Asks again, for a plan that changed between approval and execution. */
export type RequestAgain = (
  action: AnyPlannedAction,
  input: Record<string, unknown>,
  plan: PlanItem[],
  context: ActionContext,
) => Promise<ApprovalRequest>;

/** The approved action, its input and its plan as the cluster stands now (reads only). */
export async function replanApproved(deps: ActionDeps, request: ApprovalRequest, requestId: string, logger: Logger) {
  const action = deps.registry.get(request.action);
  const invoker: Invoker = { userId: request.requester, teamId: request.teamId, channelId: request.channelId };
  const context: ActionContext = { requestId, invoker, logger, deps };
  if (action?.kind !== 'planned')
    throw new AppError('action_gone', `The action \`${request.action}\` no longer exists in this bot version.`);
  const input = action.input.parse(request.arguments);
  return { action, input, context, plan: await action.plan(input, context) };
}

/**
 * The requester must still hold the action's permission when it executes: rights taken away while the
 * request waited (someone left the on-call group) are not kept alive by the approval. Roles Slack cannot
 * resolve refuse it, as they refuse any change.
 */
async function requesterMayStillRun(deps: ActionDeps, request: ApprovalRequest, action: AnyPlannedAction) {
  // The bot's own schedules ask as themselves (`eafix-schedule`), not as a Slack user: what they may ask
  // for is the policy's (a maintenance window it declares), and two people still approve it.
  if (!isSlackUserId(request.requester)) return;
  try {
    await deps.authorizer.authorize(
      { userId: request.requester, channelId: request.channelId },
      action.permission,
      action.risk,
    );
  } catch (error) {
    if (!isAppError(error)) throw error;
    const why =
      error.code === 'permission_denied'
        ? `<@${request.requester}>, who asked for it, no longer holds \`${action.permission}\`, so it was not run`
        : error.code === 'permissions_unavailable'
          ? "the requester's rights could not be checked (Slack did not answer), so it was not run"
          : `not run for <@${request.requester}>, who asked for it: ${error.userMessage.replace(/\.$/, '')}`;
    throw new AppError(error.code, `${why}. Nothing was changed.`, { kind: error.kind });
  }
}

/** How long an approved request may take to start before its message shows "approved" meanwhile. */
const SHOW_APPROVED_AFTER_MS = 1_000;

/**
 * The approval message goes from "pending" straight to its outcome (a run started, superseded, failed)
 * when that comes quickly: one edit, not two on the click's path. A slow cluster read or a long action
 * shows "approved" after SHOW_APPROVED_AFTER_MS, once the approval's audit row is written (`recorded`);
 * `settle` waits for that edit so the next lands after it.
 */
function showApprovedIfSlow(deps: ActionDeps, request: ApprovalRequest, logger: Logger, recorded: () => Promise<void>) {
  let shown: Promise<void> | undefined;
  const timer = setTimeout(() => {
    shown = recorded()
      .then(() => refreshApprovalMessage(deps, request))
      .catch((err: unknown) =>
        logger.warn({ err, approval: request.id }, 'approval message not updated; its outcome will be'),
      );
  }, SHOW_APPROVED_AFTER_MS);
  return {
    settle: async () => {
      clearTimeout(timer);
      await shown;
    },
  };
}

/**
 * Runs an approved request: executes the recomputed plan only if it is still exactly the approved one;
 * otherwise supersedes the request and asks again. The outcome goes to the approval's thread.
 * `approval.approvedRow`, the click's `approval.approved` audit row not yet written (HeldAuditRow), is
 * written in the transaction that creates the run a resumable action starts in the approval's thread,
 * and otherwise before the action executes, before any other row, and before the message shows "approved".
 */
export async function executeApproved(
  unheldDeps: ActionDeps,
  request: ApprovalRequest,
  approval: { requestId: string; logger: Logger; approvedRow?: HeldAuditRow },
  planning: ReturnType<typeof replanApproved>,
  requestAgain: RequestAgain,
): Promise<void> {
  const { requestId, logger, approvedRow } = approval;
  const log = unheldDeps.audit;
  const deps = approvedRow ? { ...unheldDeps, audit: approvedRow.audit } : unheldDeps;
  const approvedShown = showApprovedIfSlow(deps, request, logger, async () => approvedRow?.recorded(log));
  const refresh = async () => {
    await approvedShown.settle();
    await refreshApprovalMessage(deps, (await deps.approvals.get(request.id)) ?? request);
  };
  const thread =
    request.messageChannel && request.messageTs
      ? { channel: request.messageChannel, ts: request.messageTs }
      : undefined;
  let reply: Reply;
  try {
    const { action, input, context, plan } = await planning;
    // Before anything else, a superseded plan's fresh request included: nobody is asked to approve for a
    // requester who may no longer run it.
    await requesterMayStillRun(deps, request, action);
    if (planHash(plan) !== request.planHash) {
      await auditApproval(deps, request, 'system', 'approval.superseded', requestId);
      await deps.approvals.finish(request.id, 'superseded', 'plan changed before execution');
      await refresh();
      const fresh = await requestAgain(action, request.arguments, plan, context);
      await deps.notifier.send({
        key: `approval:${request.id}:superseded`,
        channel: thread?.channel ?? request.channelId,
        threadTs: thread?.ts,
        text: `:twisted_rightwards_arrows: The plan changed between approval and execution, so nothing was done. Fresh approval requested: \`${fresh.id}\`.`,
      });
      return;
    }
    // Only a run started in the approval's thread takes the approval's row into its creation's transaction:
    // whatever else executing it does first (an action that acts at once, a "started by" post) comes after
    // the row, written now.
    if (!isResumable(action) || !thread) await approvedRow?.recorded(log);
    reply = await executePlanned(action, input, {
      ...context,
      deps,
      ...(approvedRow ? { recordApprovalWith: approvedRow.recordWith(log) } : {}),
      plan,
      approvalId: request.id,
      approvers: request.approvers,
      ...(thread ? { thread } : {}),
    });
    // Audited before the request shows as executed: nothing looks done that the log does not have.
    await auditApproval(deps, request, request.requester, 'execute', requestId, 'ok');
    await deps.approvals.finish(request.id, 'executed', reply.text.slice(0, 500));
  } catch (error) {
    const message = isAppError(error) ? error.userMessage : 'unexpected error (see logs)';
    if (!isAppError(error)) logger.error({ err: error, approval: request.id }, 'approved action failed');
    await auditApproval(deps, request, request.requester, 'execute', requestId, `failed: ${message}`);
    await deps.approvals.finish(request.id, 'failed', message);
    reply = { text: `:x: Execution failed: ${message}` };
  }
  await refresh();
  if (thread && !reply.shownInThread)
    await deps.notifier.send({
      key: `approval:${request.id}:reply`,
      channel: thread.channel,
      threadTs: thread.ts,
      text: reply.text,
      ...(reply.blocks ? { blocks: reply.blocks } : {}),
    });
}
