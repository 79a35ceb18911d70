/**
 * Asking for a two-person approval: the request is stored, audited and posted as the approval message.
 * Used by the approval service (a command's plan) and by runs that ask for a later step's approval
 * (a configuration change asks for production once staging passed).
 */
import { createHash } from 'node:crypto';
import { isAppError } from '../app-error.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import type { AuditEntry } from '../audit/audit-log.ts';
import { approvalMessage, approvalMessageKey } from './approval-message.ts';
import type { ApprovalOptions, ApprovalRequest, PlanItem } from './approval-types.ts';

export type ApprovalDeps = Pick<ActionDeps, 'approvals' | 'audit' | 'notifier' | 'authorizer' | 'now'>;

export interface ApprovalAsk {
  action: { id: string; permission: string };
  input: Record<string, unknown>;
  plan: PlanItem[];
  invoker: { userId: string; teamId: string; channelId: string };
  requestId: string;
  /** A request the bot posts itself (a maintenance window's plan): its own expiry and approver count. */
  options?: ApprovalOptions;
}

/** A request id derived from what it asks about (`window:<occurrence>`): the same subject, the same id. */
export const derivedApprovalId = (subject: string): string =>
  `apr_${createHash('sha256').update(subject).digest('hex').slice(0, 12)}`;

/** Whether `create` gave back a request someone asked for earlier, for the same plan (not a deterministic id's). */
export const alreadyPending = (request: ApprovalRequest, ask: Pick<ApprovalAsk, 'requestId' | 'options'>): boolean =>
  !ask.options?.id && request.requestId !== ask.requestId;

/** One audit row about a request: who did what to it. */
export async function auditApproval(
  deps: Pick<ActionDeps, 'audit'>,
  request: ApprovalRequest,
  userId: string,
  event: string,
  requestId: string,
  detail?: string,
): Promise<void> {
  await deps.audit.record(approvalEntry(request, userId, event, requestId, detail));
}

/** The audit row of an event in a request's life (`approval.approved`, `execute`, ...). */
export function approvalEntry(
  request: ApprovalRequest,
  userId: string,
  event: string,
  requestId: string,
  detail?: string,
): AuditEntry {
  return {
    requestId,
    teamId: request.teamId,
    channelId: request.channelId,
    userId,
    action: event,
    arguments: { approval: request.id, action: request.action, planHash: request.planHash },
    outcome: detail?.startsWith('failed') ? 'error' : 'ok',
    detail,
  };
}

export async function requestApproval(deps: ApprovalDeps, ask: ApprovalAsk): Promise<ApprovalRequest> {
  const { invoker, requestId, action, input, plan, options = {} } = ask;
  const request = await deps.approvals.create({
    ...(options.id ? { id: options.id } : {}),
    action: action.id,
    permission: action.permission,
    arguments: input,
    plan,
    reason: String(input.reason ?? ''),
    requester: invoker.userId,
    teamId: invoker.teamId,
    channelId: invoker.channelId,
    requestId,
    requiredApprovals: Math.max(options.requiredApprovals ?? 0, deps.authorizer.requiredApprovers(action.permission)),
    expiresAt: options.expiresAt ?? new Date(deps.now().getTime() + deps.authorizer.approvalTtlMs),
  });
  // The same plan may already be waiting in this channel (a second press, or someone else asked first):
  // then there is no second request or message, and the asker is pointed at the one there. Its message is
  // posted here only if it never was (its asker stopped before): the same key, so never twice.
  const existing = alreadyPending(request, ask);
  const event = existing ? 'approval.already-pending' : 'approval.requested';
  await auditApproval(deps, request, invoker.userId, event, requestId);
  if (existing && request.messageTs) return request;
  try {
    await deps.notifier.post({
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
  return (await deps.approvals.get(request.id)) ?? request;
}
