import { AppError } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import type { ActionContext, AnyAction } from '../handlers/core/define-action.ts';
import { boundRequest, originMismatch, readRequest, requestInWorkspace } from './approval-binding.ts';
import { executeApproved, replanApproved } from './approval-execution.ts';
import { decidedNotice, refreshApprovalMessage } from './approval-records.ts';
import { approvalEntry, auditApproval, requestApproval } from './request-approval.ts';
import { HeldAuditRow } from '../audit/held-audit-row.ts';
import { resumeInterrupted } from './interrupted-approvals.ts';
import type {
  ApprovalOptions,
  ApprovalRequest,
  ApprovalWorkflow,
  ClickOrigin,
  ClickResult,
  Clicker,
  PlanItem,
} from './approval-types.ts';

/**
 * What an Approve click reads before its audit row is written (reads only): the request and, when the
 * click looks like the vote that completes it, comes from someone who may approve it, and the action's
 * plan only reads (`planReadsOnly`), the plan read again, the longest part of a click. Whatever it finds
 * is checked again on the click's path (binding, rights, the vote's lock).
 */
export interface PreparedApproval {
  request: ApprovalRequest | undefined;
  planning?: Promise<Replanned>;
}

type Replanned = Awaited<ReturnType<typeof replanApproved>>;

/** Whether the clicker's vote, if counted, is the last one the request needs. */
function completesApproval(request: ApprovalRequest, clicker: Clicker): boolean {
  if (request.status !== 'pending' || request.approvers.includes(clicker.userId)) return false;
  return request.approvers.length + 1 >= request.requiredApprovals;
}

/**
 * Two-person approval: requests, decisions and the execution of exactly the approved plan.
 * Every transition is atomic in the store, and audited before anyone is shown it; this class adds
 * who-may-do-what and Slack upkeep. Decisions reach it through the approval actions (`approvals
 * approve|reject|cancel`) on the one invocation path; refusals are AppErrors, so that path tells them
 * and audits them as refusals. It holds nothing but the actions' dependencies.
 */
export class ApprovalService implements ApprovalWorkflow {
  constructor(private readonly deps: ActionDeps) {}

  async request(
    action: AnyAction,
    input: Record<string, unknown>,
    plan: PlanItem[],
    context: ActionContext,
    options?: ApprovalOptions,
  ): Promise<ApprovalRequest> {
    const { invoker, requestId } = context;
    // The action's own options (a scheduled window's expiry and approvers) hold on every ask, a fresh
    // request after a superseded plan included; the caller's (a deterministic id) come on top.
    const own = action.kind === 'planned' ? action.approvalOptions?.(action.input.parse(input), context) : undefined;
    const merged = { ...own, ...options };
    return requestApproval(this.deps, { action, input, plan, invoker, requestId, options: merged });
  }

  /** The reads of an Approve click that need not wait for its audit row (PreparedApproval). */
  async prepareApprove(
    id: string,
    clicker: Clicker,
    requestId: string,
    logger: Logger,
    origin: ClickOrigin | undefined,
  ): Promise<PreparedApproval> {
    const request = await readRequest(this.deps, id);
    const action = request ? this.deps.registry.get(request.action) : undefined;
    const plausible =
      request !== undefined &&
      origin !== undefined &&
      action?.kind === 'planned' &&
      action.planReadsOnly === true &&
      request.teamId === clicker.teamId &&
      request.requester !== clicker.userId &&
      originMismatch(request, origin) === undefined &&
      completesApproval(request, clicker);
    if (!plausible) return { request };
    // Only for someone who may approve it (checked again, and audited, on the click's path).
    const may = await this.deps.authorizer.mayApprove(clicker.userId, request.permission).catch(() => undefined);
    if (!may?.allowed) return { request };
    const planning = replanApproved(this.deps, request, requestId, logger);
    planning.catch(() => undefined);
    return { request, planning };
  }

  async approve(
    id: string,
    clicker: Clicker,
    requestId: string,
    logger: Logger,
    origin: ClickOrigin,
    prepared?: Promise<PreparedApproval>,
    /** Records the click's `started` audit row in the vote's transaction (ActionContext.recordStartWith). */
    recordStartWith?: ActionContext['recordStartWith'],
  ): Promise<ClickResult> {
    const early = await prepared?.catch(() => undefined);
    const request = await boundRequest(this.deps, id, clicker, origin, requestId, early?.request);
    if (request.requester === clicker.userId) {
      await auditApproval(this.deps, request, clicker.userId, 'approval.self-approval-refused', requestId);
      throw new AppError(
        'self_approval',
        'You cannot approve your own request. Another authorised person must approve it.',
      );
    }
    await this.checkApprover(request, clicker, requestId, 'approve');
    const voting = recordStartWith
      ? recordStartWith((append) => this.deps.approvals.vote(id, clicker.userId, append))
      : this.deps.approvals.vote(id, clicker.userId);
    // A vote that will complete the approval has its plan read again from the cluster while it is counted
    // (reads only: nothing executes before the approval is recorded and its audit row written, with the run
    // it starts or before anything else executing it does, in executeApproved). The reads start
    // on the next turn of the event loop, by when the vote is usually on its way (unless the audit log must
    // first read its chain's end): building three Kubernetes requests takes a few ms of CPU, which would
    // otherwise hold up the vote, the longer of the two. Usually `prepare` has read it already.
    const planning =
      early?.planning ??
      (completesApproval(request, clicker)
        ? new Promise((resolve) => setImmediate(resolve)).then(() =>
            replanApproved(this.deps, request, requestId, logger),
          )
        : undefined);
    planning?.catch(() => undefined);
    const outcome = await voting;
    switch (outcome.kind) {
      case 'not_found':
        throw new AppError('approval_not_found', 'That approval request does not exist.');
      case 'already_voted':
        throw new AppError(
          'approval_already_voted',
          'You have already approved this request; it needs another approver.',
        );
      case 'not_pending':
        // A click on a stale message (decided, superseded): nothing happens, and the log says why.
        await auditApproval(
          this.deps,
          outcome.request,
          clicker.userId,
          'approval.click-refused',
          requestId,
          `not pending: ${outcome.request.status}`,
        );
        throw new AppError('approval_decided', decidedNotice(outcome.request));
      case 'expired':
        await auditApproval(this.deps, outcome.request, clicker.userId, 'approval.expired', requestId);
        await refreshApprovalMessage(this.deps, outcome.request);
        throw new AppError('approval_expired', 'This request expired before it was approved. Nothing was changed.');
      case 'counted':
        await auditApproval(this.deps, outcome.request, clicker.userId, 'approval.vote', requestId);
        await refreshApprovalMessage(this.deps, outcome.request);
        return {
          notice: `Your approval is counted; ${outcome.request.requiredApprovals - outcome.request.approvers.length} more needed.`,
        };
      case 'approved': {
        const replanned = planning ?? replanApproved(this.deps, outcome.request, requestId, logger);
        replanned.catch(() => undefined);
        // Written with the run the approval starts (a round trip and a commit fewer before its status
        // message), or before whatever else executing it records.
        const approvedRow = new HeldAuditRow(
          approvalEntry(outcome.request, clicker.userId, 'approval.approved', requestId),
          this.deps.audit,
        );
        await executeApproved(this.deps, outcome.request, { requestId, logger, approvedRow }, replanned, (...args) =>
          this.request(...args),
        );
        // Every way through executing it records a row, so this is only a backstop: the row is never missing.
        await approvedRow.recorded(this.deps.audit);
        return {};
      }
    }
  }

  /**
   * The Reject button only opens the reason dialog: it is bound like Approve, and only someone who may
   * reject a still pending request gets the dialog.
   */
  async checkReject(id: string, clicker: Clicker, requestId: string, origin: ClickOrigin): Promise<void> {
    const request = await boundRequest(this.deps, id, clicker, origin, requestId);
    await this.checkApprover(request, clicker, requestId, 'reject');
    if (request.status !== 'pending') throw new AppError('approval_decided', decidedNotice(request));
  }

  async reject(id: string, clicker: Clicker, reason: string, requestId: string): Promise<ClickResult> {
    const request = await requestInWorkspace(this.deps, id, clicker);
    await this.checkApprover(request, clicker, requestId, 'reject');
    return this.transition(request, 'rejected', clicker, requestId, reason);
  }

  async cancel(id: string, clicker: Clicker, requestId: string, origin: ClickOrigin): Promise<ClickResult> {
    const request = await boundRequest(this.deps, id, clicker, origin, requestId);
    if (request.requester !== clicker.userId) {
      throw new AppError(
        'approval_not_requester',
        `Only <@${request.requester}>, who asked for it, can cancel this request. You can reject it instead.`,
      );
    }
    return this.transition(request, 'cancelled', clicker, requestId);
  }

  /**
   * Expires overdue requests (any replica may run this; each request expires once) and updates their
   * messages. One request's audit row or message failing does not leave the others unaudited: each is
   * tried, and the sweep then fails naming the requests whose record is only in the bot log.
   */
  async expireDue(): Promise<number> {
    const expired = await this.deps.approvals.expireDue();
    const failed: string[] = [];
    for (const request of expired) {
      try {
        await auditApproval(this.deps, request, 'system', 'approval.expired', request.requestId);
        await refreshApprovalMessage(this.deps, request);
      } catch (error) {
        failed.push(`${request.id} (${error instanceof Error ? error.message : String(error)})`);
      }
    }
    if (failed.length > 0)
      throw new Error(`expired approval requests not audited or not shown expired: ${failed.join(', ')}`);
    return expired.length;
  }

  /** Settles approvals a stopped process left unexecuted (interrupted-approvals.ts). */
  resumeInterrupted(logger: Logger): Promise<number> {
    return resumeInterrupted(this.deps, (...args) => this.request(...args), logger);
  }

  /** Approvers of the request's permission may approve or reject it; its requester may also reject it. */
  private async checkApprover(
    request: ApprovalRequest,
    clicker: Clicker,
    requestId: string,
    decision: 'approve' | 'reject',
  ): Promise<void> {
    if (decision === 'reject' && request.requester === clicker.userId) return;
    const may = await this.deps.authorizer.mayApprove(clicker.userId, request.permission);
    if (may.allowed) return;
    const event = may.complete ? 'approval.unauthorised' : 'approval.unverifiable';
    await auditApproval(this.deps, request, clicker.userId, event, requestId, decision);
    if (!may.complete)
      throw new AppError(
        'permissions_unavailable',
        'I cannot check your approval rights right now (Slack did not answer), so I did not count your click. Nothing was done; try again shortly.',
        { kind: 'upstream' },
      );
    const approvers = `Approvers: ${this.deps.authorizer.holders(request.permission, 'approve')}.`;
    throw new AppError(
      'approval_denied',
      decision === 'approve'
        ? `You may not approve \`${request.permission}\` requests. ${approvers}`
        : `Only approvers of \`${request.permission}\` (or its requester) may reject it. ${approvers}`,
    );
  }

  /** Rejects or cancels: decided atomically, audited, and only then shown on the approval message. */
  private async transition(
    request: ApprovalRequest,
    status: 'rejected' | 'cancelled',
    clicker: Clicker,
    requestId: string,
    reason?: string,
  ): Promise<ClickResult> {
    const outcome = await this.deps.approvals.decide(request.id, status, clicker.userId, reason);
    if (outcome.kind === 'not_found') throw new AppError('approval_not_found', 'That approval request does not exist.');
    if (outcome.kind === 'not_pending') throw new AppError('approval_decided', decidedNotice(outcome.request));
    const event = outcome.kind === 'expired' ? 'approval.expired' : `approval.${status}`;
    await auditApproval(this.deps, outcome.request, clicker.userId, event, requestId, reason);
    await refreshApprovalMessage(this.deps, outcome.request);
    if (outcome.kind === 'expired') throw new AppError('approval_expired', 'This request had already expired.');
    return {};
  }
}
