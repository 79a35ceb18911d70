import { AppError, isAppError } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import type { ActionContext, AnyAction, Invoker } from '../handlers/core/define-action.ts';
import type { Reply } from '../handlers/core/reply.ts';
import { executePlanned } from '../handlers/core/start-run.ts';
import { planHash } from './plan-hash.ts';
import { approvalMessage, approvalMessageKey, parseApprovalBlockId, shownPlanHash } from './approval-message.ts';
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
 * Two-person approval: requests, decisions and the execution of exactly the approved plan.
 * Every transition is atomic in the store; this class adds who-may-do-what and Slack upkeep.
 */
export class ApprovalService implements ApprovalWorkflow {
  constructor(private readonly deps: ActionDeps) {}

  async request(
    action: AnyAction,
    input: Record<string, unknown>,
    plan: PlanItem[],
    context: ActionContext,
    options: ApprovalOptions = {},
  ): Promise<ApprovalRequest> {
    const { invoker, requestId } = context;
    const request = await this.deps.approvals.create({
      action: action.id,
      permission: action.permission,
      arguments: input,
      plan,
      reason: String(input.reason ?? ''),
      requester: invoker.userId,
      teamId: invoker.teamId,
      channelId: invoker.channelId,
      requestId,
      requiredApprovals: Math.max(
        options.requiredApprovals ?? 0,
        this.deps.authorizer.requiredApprovers(action.permission),
      ),
      expiresAt: options.expiresAt ?? new Date(this.deps.now().getTime() + this.deps.authorizer.approvalTtlMs),
    });
    await this.audit(request, invoker.userId, 'approval.requested', requestId);
    try {
      await this.deps.notifier.post({
        key: approvalMessageKey(request.id),
        channel: invoker.channelId,
        ...approvalMessage(request),
      });
    } catch (error) {
      // Slack is slow: the request stands and its message lands later (its ts attached on delivery).
      if (isAppError(error) && error.code === 'slack_pending') return request;
      throw error;
    }
    // The outbox attached the message (channel id and ts, as Slack answered) before reporting it posted;
    // `invoker.channelId` may be a channel's name, which clicks on the message never carry.
    return (await this.deps.approvals.get(request.id)) ?? request;
  }

  async approve(
    id: string,
    clicker: Clicker,
    requestId: string,
    logger: Logger,
    origin: ClickOrigin,
  ): Promise<ClickResult> {
    const request = await this.boundRequest(id, clicker, origin, requestId);
    if (request.requester === clicker.userId) {
      await this.audit(request, clicker.userId, 'approval.self-approval-refused', requestId);
      return { notice: ':no_entry: You cannot approve your own request. Another authorised person must approve it.' };
    }
    const may = await this.deps.authorizer.mayApprove(clicker.userId, request.permission);
    if (!may.allowed) {
      await this.audit(
        request,
        clicker.userId,
        may.complete ? 'approval.unauthorised' : 'approval.unverifiable',
        requestId,
      );
      if (!may.complete)
        return {
          notice:
            ':warning: I cannot check your approval rights right now (Slack did not answer), so I did not count your approval.',
        };
      return {
        notice: `:no_entry: You may not approve \`${request.permission}\` requests. Approvers: ${this.deps.authorizer.holders(request.permission, 'approve')}.`,
      };
    }
    const outcome = await this.deps.approvals.vote(id, clicker.userId);
    switch (outcome.kind) {
      case 'not_found':
        return { notice: 'That approval request does not exist.' };
      case 'already_voted':
        return { notice: 'You have already approved this request; it needs another approver.' };
      case 'not_pending':
        // A click on a stale message (decided, superseded): nothing happens, and the log says why.
        await this.audit(
          outcome.request,
          clicker.userId,
          'approval.click-refused',
          requestId,
          `not pending: ${outcome.request.status}`,
        );
        return { notice: decidedNotice(outcome.request) };
      case 'expired':
        await this.refreshMessage(outcome.request);
        await this.audit(outcome.request, clicker.userId, 'approval.expired', requestId);
        return { notice: ':alarm_clock: This request expired before it was approved. Nothing was changed.' };
      case 'counted':
        await this.audit(outcome.request, clicker.userId, 'approval.vote', requestId);
        await this.refreshMessage(outcome.request);
        return {
          notice: `Your approval is counted; ${outcome.request.requiredApprovals - outcome.request.approvers.length} more needed.`,
        };
      case 'approved':
        await this.audit(outcome.request, clicker.userId, 'approval.approved', requestId);
        await this.refreshMessage(outcome.request);
        await this.execute(outcome.request, requestId, logger);
        return {};
    }
  }

  /** The Reject button only opens the reason dialog; it is bound like Approve so a forged id gets no dialog. */
  async checkReject(id: string, clicker: Clicker, requestId: string, origin: ClickOrigin): Promise<void> {
    await this.boundRequest(id, clicker, origin, requestId);
  }

  async reject(id: string, clicker: Clicker, reason: string, requestId: string): Promise<ClickResult> {
    const request = await this.checkedRequest(id, clicker);
    const may = await this.deps.authorizer.mayApprove(clicker.userId, request.permission);
    if (!may.allowed && request.requester !== clicker.userId) {
      return { notice: `:no_entry: Only approvers of \`${request.permission}\` may reject it.` };
    }
    return this.transition(request, 'rejected', clicker, requestId, reason);
  }

  async cancel(id: string, clicker: Clicker, requestId: string, origin: ClickOrigin): Promise<ClickResult> {
    const request = await this.boundRequest(id, clicker, origin, requestId);
    if (request.requester !== clicker.userId) {
      return {
        notice: `:no_entry: Only <@${request.requester}>, who asked for it, can cancel this request. You can reject it instead.`,
      };
    }
    return this.transition(request, 'cancelled', clicker, requestId);
  }

  /** Expires overdue requests (any replica may run this; each request expires once) and updates their messages. */
  async expireDue(): Promise<number> {
    const expired = await this.deps.approvals.expireDue();
    for (const request of expired) {
      await this.audit(request, 'system', 'approval.expired', request.requestId);
      await this.refreshMessage(request);
    }
    return expired.length;
  }

  private async transition(
    request: ApprovalRequest,
    status: 'rejected' | 'cancelled',
    clicker: Clicker,
    requestId: string,
    reason?: string,
  ): Promise<ClickResult> {
    const outcome = await this.deps.approvals.decide(request.id, status, clicker.userId, reason);
    if (outcome.kind === 'not_found') return { notice: 'That approval request does not exist.' };
    if (outcome.kind === 'not_pending') return { notice: decidedNotice(outcome.request) };
    await this.refreshMessage(outcome.request);
    await this.audit(
      outcome.request,
      clicker.userId,
      outcome.kind === 'expired' ? 'approval.expired' : `approval.${status}`,
      requestId,
      reason,
    );
    return outcome.kind === 'expired' ? { notice: ':alarm_clock: This request had already expired.' } : {};
  }

  /** Unknown ids and clicks from another workspace get the same answer: nothing to see here. */
  private async checkedRequest(id: string, clicker: Clicker): Promise<ApprovalRequest> {
    const request = /^apr_[0-9a-f]{12}$/.test(id) ? await this.deps.approvals.get(id) : undefined;
    if (!request || request.teamId !== clicker.teamId) {
      throw new AppError('approval_not_found', 'That approval request does not exist (or is not from this workspace).');
    }
    return request;
  }

  /**
   * The request a click is about, only when the container, the block and the value all name the same
   * request and the plan shown is the request's plan. Anything else is refused and audited.
   */
  private async boundRequest(
    id: string,
    clicker: Clicker,
    origin: ClickOrigin,
    requestId: string,
  ): Promise<ApprovalRequest> {
    const request = await this.checkedRequest(id, clicker);
    const mismatch = originMismatch(request, origin);
    if (mismatch) {
      await this.audit(request, clicker.userId, 'approval.click-refused', requestId, mismatch);
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
        {
          hints: ['Use the buttons on the approval message itself, or `/eafix approvals` for the current requests.'],
        },
      );
    }
    return request;
  }

  /** Recomputes the plan; executes only if it is still exactly the approved one. */
  private async execute(request: ApprovalRequest, requestId: string, logger: Logger): Promise<void> {
    const action = this.deps.registry.get(request.action);
    const thread =
      request.messageChannel && request.messageTs
        ? { channel: request.messageChannel, ts: request.messageTs }
        : undefined;
    const invoker: Invoker = { userId: request.requester, teamId: request.teamId, channelId: request.channelId };
    const context: ActionContext = { requestId, invoker, logger, deps: this.deps };
    let reply: Reply;
    try {
      if (action?.kind !== 'planned')
        throw new AppError('action_gone', `The action \`${request.action}\` no longer exists in this bot version.`);
      const input = action.input.parse(request.arguments);
      const plan = await action.plan(input, context);
      if (planHash(plan) !== request.planHash) {
        await this.audit(request, 'system', 'approval.superseded', requestId);
        await this.deps.approvals.finish(request.id, 'superseded', 'plan changed before execution');
        await this.refreshMessage((await this.deps.approvals.get(request.id)) ?? request);
        const fresh = await this.request(action, request.arguments, plan, { ...context, invoker });
        await this.deps.notifier.send({
          key: `approval:${request.id}:superseded`,
          channel: thread?.channel ?? request.channelId,
          threadTs: thread?.ts,
          text: `:twisted_rightwards_arrows: The plan changed between approval and execution, so nothing was done. Fresh approval requested: \`${fresh.id}\`.`,
        });
        return;
      }
      reply = await executePlanned(action, input, {
        ...context,
        plan,
        approvalId: request.id,
        approvers: request.approvers,
        ...(thread ? { thread } : {}),
      });
      // Audited before the request shows as executed: nothing looks done that the log does not have.
      await this.audit(request, request.requester, 'execute', requestId, 'ok');
      await this.deps.approvals.finish(request.id, 'executed', reply.text.slice(0, 500));
    } catch (error) {
      const message = isAppError(error) ? error.userMessage : 'unexpected error (see logs)';
      if (!isAppError(error)) logger.error({ err: error, approval: request.id }, 'approved action failed');
      await this.audit(request, request.requester, 'execute', requestId, `failed: ${message}`);
      await this.deps.approvals.finish(request.id, 'failed', message);
      reply = { text: `:x: Execution failed: ${message}` };
    }
    await this.refreshMessage((await this.deps.approvals.get(request.id)) ?? request);
    if (thread && !reply.shownInThread)
      await this.deps.notifier.send({
        key: `approval:${request.id}:reply`,
        channel: thread.channel,
        threadTs: thread.ts,
        text: reply.text,
        ...(reply.blocks ? { blocks: reply.blocks } : {}),
      });
  }

  private async refreshMessage(request: ApprovalRequest): Promise<void> {
    if (!request.messageChannel || !request.messageTs) return;
    await this.deps.notifier.update({
      channel: request.messageChannel,
      ts: request.messageTs,
      ...approvalMessage(request),
    });
  }

  private async audit(
    request: ApprovalRequest,
    userId: string,
    event: string,
    requestId: string,
    detail?: string,
  ): Promise<void> {
    await this.deps.audit.record({
      requestId,
      teamId: request.teamId,
      channelId: request.channelId,
      userId,
      action: event,
      arguments: { approval: request.id, action: request.action, planHash: request.planHash },
      outcome: detail?.startsWith('failed') ? 'error' : 'ok',
      detail,
    });
  }
}

/** Why a click's origin does not belong to the request, or undefined when it does. */
function originMismatch(request: ApprovalRequest, origin: ClickOrigin): string | undefined {
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

function decidedNotice(request: ApprovalRequest): string {
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
