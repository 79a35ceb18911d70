import type { AppendAudit } from '../audit/audit-log.ts';
import type { Logger } from '../logger.ts';
import type { ClickOrigin } from '../handlers/core/click-origin.ts';

/** How much an action can change; anything but `read` fails closed when roles cannot be resolved. */
export type Risk = 'read' | 'change' | 'destructive';

/** One exact change an action will make; approvers approve the list, byte for byte. */
/** A request posted by the bot itself (a schedule) rather than a person: its own expiry and approver count. */
export interface ApprovalOptions {
  /** Default: the policy's approval TTL from now. */
  expiresAt?: Date;
  /** At least this many approvers (nobody asked, so two people approve a scheduled plan). */
  requiredApprovals?: number;
  /**
   * The request's id, derived from what it asks about (a window's occurrence): asking again after a
   * crash finds the request already made, and its message (keyed by the id) is posted once.
   */
  id?: string;
}

export interface PlanItem {
  /** What a person reads: "patch service eafix-gateway selector version green→blue". */
  description: string;
  /** Machine-readable change, part of the hash. */
  change?: Record<string, unknown>;
}

export type ApprovalStatus =
  'pending' | 'approved' | 'rejected' | 'cancelled' | 'expired' | 'executed' | 'failed' | 'superseded';

export interface ApprovalRequest {
  id: string;
  action: string;
  permission: string;
  arguments: Record<string, unknown>;
  plan: PlanItem[];
  planHash: string;
  reason: string;
  requester: string;
  teamId: string;
  channelId: string;
  requestId: string;
  requiredApprovals: number;
  status: ApprovalStatus;
  createdAt: Date;
  expiresAt: Date;
  decidedBy?: string;
  decidedAt?: Date;
  decisionReason?: string;
  messageChannel?: string;
  messageTs?: string;
  result?: string;
  approvers: string[];
}

export type NewApprovalRequest = Pick<
  ApprovalRequest,
  | 'action'
  | 'permission'
  | 'arguments'
  | 'plan'
  | 'reason'
  | 'requester'
  | 'teamId'
  | 'channelId'
  | 'requestId'
  | 'requiredApprovals'
  | 'expiresAt'
> & {
  /** A deterministic id (ApprovalOptions.id): creating it again returns the request already there. */
  id?: string | undefined;
};

export type VoteOutcome =
  | { kind: 'approved'; request: ApprovalRequest }
  | { kind: 'counted'; request: ApprovalRequest }
  | { kind: 'already_voted'; request: ApprovalRequest }
  | { kind: 'not_pending'; request: ApprovalRequest }
  | { kind: 'expired'; request: ApprovalRequest }
  | { kind: 'not_found' };

export type TransitionOutcome =
  | { kind: 'done'; request: ApprovalRequest }
  | { kind: 'not_pending'; request: ApprovalRequest }
  | { kind: 'expired'; request: ApprovalRequest }
  | { kind: 'not_found' };

/** Approval requests, with every transition atomic in the store. */
export interface ApprovalStore {
  /**
   * Stores a new request; with an `id` that exists already, returns that request unchanged. Without one,
   * a request of the same action with the same arguments and plan in the same channel that is still
   * pending (and not expired) is returned instead of a second one: a button pressed twice, or a command
   * sent again, make one request to approve. Its `requestId` then is not the caller's.
   */
  create(request: NewApprovalRequest): Promise<ApprovalRequest>;
  get(id: string): Promise<ApprovalRequest | undefined>;
  attachMessage(id: string, channel: string, ts: string): Promise<void>;
  /**
   * Adds a vote; exactly one caller ever sees `approved` for a request. `audit`, when given, queues the
   * click's audit row in the vote's transaction (AuditLog.recordWith), whatever the vote's outcome.
   */
  vote(id: string, approver: string, audit?: AppendAudit): Promise<VoteOutcome>;
  decide(id: string, status: 'rejected' | 'cancelled', by: string, reason?: string): Promise<TransitionOutcome>;
  /** Records how an approved request ended. */
  finish(id: string, status: 'executed' | 'failed' | 'superseded', result: string): Promise<void>;
  expireDue(): Promise<ApprovalRequest[]>;
  /**
   * Runs `work` unless another process is running work of the same name (undefined then): one replica at a
   * time settles interrupted approvals, so two never decide one differently (carry out and give up).
   */
  exclusively<T>(name: string, work: () => Promise<T>): Promise<T | undefined>;
  /** Requests still `approved` (decided, not yet executed, failed or superseded) that were decided at or before `before`, oldest first. */
  approvedBefore(before: Date, limit?: number): Promise<ApprovalRequest[]>;
  listPending(limit?: number): Promise<ApprovalRequest[]>;
  listDecided(limit?: number): Promise<ApprovalRequest[]>;
}

export interface BreakGlassUse {
  id: string;
  action: string;
  arguments: Record<string, unknown>;
  plan: PlanItem[];
  reason: string;
  usedBy: string;
  teamId: string;
  channelId: string;
  requestId: string;
  at: Date;
  reviewedBy?: string;
  reviewedAt?: Date;
  reviewNote?: string;
}

export interface BreakGlassLog {
  record(use: Omit<BreakGlassUse, 'id' | 'at'>): Promise<BreakGlassUse>;
  unreviewed(limit?: number): Promise<BreakGlassUse[]>;
  get(id: string): Promise<BreakGlassUse | undefined>;
  /** Atomic: only the first reviewer signs it off. */
  review(id: string, by: string, note: string): Promise<BreakGlassUse | undefined>;
}

export interface Clicker {
  userId: string;
  teamId: string;
}

export type { ClickOrigin };

/** What the person who clicked is told (ephemeral); undefined when the message itself says it all. */
export type ClickResult = { notice?: string };

/**
 * Two-person approval as actions use it (ApprovalService). The action and its context are described by
 * the fields the workflow reads, so this port does not depend on the action framework. Decisions come
 * from the `approvals approve|reject|cancel` actions; refusals are thrown as AppErrors (told and audited
 * as refusals by the invocation path), a notice is what the person is told when it worked.
 */
export interface ApprovalWorkflow {
  request(
    action: { id: string; permission: string },
    input: Record<string, unknown>,
    plan: PlanItem[],
    context: { invoker: { userId: string; teamId: string; channelId: string }; requestId: string },
  ): Promise<ApprovalRequest>;
  approve(id: string, clicker: Clicker, requestId: string, logger: Logger, origin: ClickOrigin): Promise<ClickResult>;
  /** The Reject button only opens the reason dialog; it is bound like Approve so a forged id gets no dialog. */
  checkReject(id: string, clicker: Clicker, requestId: string, origin: ClickOrigin): Promise<void>;
  reject(id: string, clicker: Clicker, reason: string, requestId: string): Promise<ClickResult>;
  cancel(id: string, clicker: Clicker, requestId: string, origin: ClickOrigin): Promise<ClickResult>;
  /** Expires overdue requests (any replica may run this; each request expires once) and updates their messages. */
  expireDue(): Promise<number>;
  /** Carries out approvals whose execution a stopped process left unrecorded (see ApprovalService). */
  resumeInterrupted(logger: Logger): Promise<number>;
}
