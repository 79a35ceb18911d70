/** One exact change an action will make; approvers approve the list, byte for byte. */
export interface PlanItem {
  /** What a person reads: "patch service eafix-gateway selector version green→blue". */
  description: string;
  /** Machine-readable change, part of the hash. */
  change?: Record<string, unknown>;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'cancelled' | 'expired' | 'executed' | 'failed' | 'superseded';

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
  'action' | 'permission' | 'arguments' | 'plan' | 'reason' | 'requester' | 'teamId' | 'channelId' | 'requestId' | 'requiredApprovals' | 'expiresAt'
>;

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
  create(request: NewApprovalRequest): Promise<ApprovalRequest>;
  get(id: string): Promise<ApprovalRequest | undefined>;
  attachMessage(id: string, channel: string, ts: string): Promise<void>;
  /** Adds a vote; exactly one caller ever sees `approved` for a request. */
  vote(id: string, approver: string): Promise<VoteOutcome>;
  decide(id: string, status: 'rejected' | 'cancelled', by: string, reason?: string): Promise<TransitionOutcome>;
  /** Records how an approved request ended. */
  finish(id: string, status: 'executed' | 'failed' | 'superseded', result: string): Promise<void>;
  expireDue(): Promise<ApprovalRequest[]>;
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
