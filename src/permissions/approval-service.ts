import { AppError } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import { isResumable, type ActionContext, type AnyAction } from '../handlers/core/define-action.ts';
import { boundRequest, originMismatch, requestInWorkspace } from './approval-binding.ts';
import { executeApproved, replanApproved } from './approval-execution.ts';
import { decidedNotice, refreshApprovalMessage } from './approval-records.ts';
import { auditApproval, requestApproval } from './request-approval.ts';
import type {
  ApprovalOptions,
  ApprovalRequest,
  ApprovalWorkflow,
  ClickOrigin,
  ClickResult,
  Clicker,
  PlanItem,
} from './approval-types.ts';

/** How long an approved request stays unexecuted before a sweep looks at it (a live click starts its run far sooner). */
export const RESUME_AFTER_MS = 5 * 60_000;
/** Until when after its approval an interrupted resumable request is still carried out; later it fails. */
export const RESUME_WITHIN_MS = 30 * 60_000;
/** How long an approved action that runs at once may be executing before its outcome is called unknown. */
export const UNKNOWN_AFTER_MS = 10 * 60_000;

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
    const request = /^apr_[0-9a-f]{12}$/.test(id) ? await this.deps.approvals.get(id) : undefined;
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
    const voting = this.deps.approvals.vote(id, clicker.userId);
    // A vote that will complete the approval has its plan read again from the cluster while it is counted
    // (reads only: nothing executes before the approval is recorded and audited, below). The reads start
    // once the vote's first statement is on its way: building three Kubernetes requests takes a few ms of
    // CPU, which would otherwise hold up the vote, the longer of the two.
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
        await auditApproval(this.deps, outcome.request, clicker.userId, 'approval.approved', requestId);
        await executeApproved(this.deps, outcome.request, { requestId, logger }, replanned, (...args) =>
          this.request(...args),
        );
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

  /**
   * Approved requests a stopped process left unexecuted: it died between the vote and recording the
   * execution, or while an action that runs at once (no run) was executing. Looked at once they have
   * waited RESUME_AFTER_MS (longer than any live click takes to start its run). A resumable one whose run
   * exists is recorded as executed; one without is carried out as approved while it is recent
   * (RESUME_WITHIN_MS: its plan is read again and must still match, its requester must still hold the
   * right, its run is keyed by the approval), and failed as too late after that. One that runs at once is
   * failed after UNKNOWN_AFTER_MS, its outcome unknown, since it may have taken effect. Safe on every
   * replica (a request finishes once); one failing does not stop the rest.
   */
  async resumeInterrupted(logger: Logger): Promise<number> {
    // Almost always there is nothing to settle: asked first, so the lock's connection is opened only when needed.
    const due = await this.deps.approvals.approvedBefore(new Date(this.deps.now().getTime() - RESUME_AFTER_MS), 1);
    if (due.length === 0) return 0;
    // One replica at a time: two sweeps judging one approval a second apart could carry it out and give it up.
    return (await this.deps.approvals.exclusively('resume-interrupted', () => this.settleInterrupted(logger))) ?? 0;
  }

  private async settleInterrupted(logger: Logger): Promise<number> {
    const waiting = await this.deps.approvals.approvedBefore(new Date(this.deps.now().getTime() - RESUME_AFTER_MS));
    let handled = 0;
    for (const request of waiting) {
      const action = this.deps.registry.get(request.action);
      // Each judged by the clock as it reaches it: the ones before may have taken a while.
      const now = this.deps.now().getTime();
      const age = now - (request.decidedAt?.getTime() ?? now);
      try {
        if (action !== undefined && isResumable(action)) {
          const run = await this.deps.runs.forApproval(request.id);
          if (run) {
            await auditApproval(this.deps, request, 'system', 'approval.resumed', request.requestId, `run ${run.id}`);
            await this.deps.approvals.finish(
              request.id,
              'executed',
              `Run \`${run.id}\` started (recorded after a restart).`,
            );
            await refreshApprovalMessage(this.deps, (await this.deps.approvals.get(request.id)) ?? request);
          } else if (age > RESUME_WITHIN_MS) {
            await this.giveUp(
              request,
              'The bot stopped before carrying it out, and it is too late to carry it out now. Nothing was changed; ask again if it is still needed.',
            );
          } else {
            await auditApproval(this.deps, request, 'system', 'approval.resumed', request.requestId);
            await executeApproved(
              this.deps,
              request,
              { requestId: request.requestId, logger },
              replanApproved(this.deps, request, request.requestId, logger),
              (...args) => this.request(...args),
            );
          }
        } else if (age > UNKNOWN_AFTER_MS) {
          await this.giveUp(
            request,
            'The bot stopped while executing it, so whether it took effect is unknown. Check the state before asking again.',
          );
        } else continue;
        handled += 1;
      } catch (err) {
        logger.warn({ err, approval: request.id }, 'could not settle an interrupted approval; trying again later');
      }
    }
    return handled;
  }

  /** Records an interrupted approval as failed, audited before it shows. */
  private async giveUp(request: ApprovalRequest, why: string): Promise<void> {
    await auditApproval(this.deps, request, 'system', 'approval.interrupted', request.requestId, `failed: ${why}`);
    await this.deps.approvals.finish(request.id, 'failed', why);
    await refreshApprovalMessage(this.deps, (await this.deps.approvals.get(request.id)) ?? request);
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
