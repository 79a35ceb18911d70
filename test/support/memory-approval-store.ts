import type { AppendAudit } from '../../src/audit/audit-log.ts';
import { NO_TRANSACTION } from './memory-audit-log.ts';
import { isDeepStrictEqual } from 'node:util';
import { randomBytes } from 'node:crypto';
import { planHash } from '../../src/permissions/plan-hash.ts';
import type {
  ApprovalRequest,
  ApprovalStore,
  NewApprovalRequest,
  TransitionOutcome,
  VoteOutcome,
} from '../../src/permissions/approval-types.ts';

/**
 * The approval store port in memory, for the fast test tier: the same transitions as PgApprovalStore
 * (one `approved` per request, expiry by the injected clock), checked by the same contract tests
 * (test/support/approval-store-contract.ts). Every call runs to completion before the next, as the
 * PostgreSQL row lock makes them.
 */

export class MemoryApprovalStore implements ApprovalStore {
  private readonly requests = new Map<string, ApprovalRequest>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async create(request: NewApprovalRequest): Promise<ApprovalRequest> {
    const id = request.id ?? `apr_${randomBytes(6).toString('hex')}`;
    const hash = planHash(request.plan);
    const existing = request.id
      ? this.requests.get(id)
      : [...this.requests.values()].find(
          (r) =>
            r.teamId === request.teamId &&
            r.channelId === request.channelId &&
            r.action === request.action &&
            r.planHash === hash &&
            isDeepStrictEqual(r.arguments, request.arguments) &&
            r.status === 'pending' &&
            r.expiresAt > this.now(),
        );
    if (existing) return structuredClone(existing);
    const stored: ApprovalRequest = {
      ...structuredClone({ ...request, id: undefined }),
      id,
      planHash: hash,
      status: 'pending',
      createdAt: this.now(),
      approvers: [],
    };
    this.requests.set(id, stored);
    return structuredClone(stored);
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    const request = this.requests.get(id);
    return request ? structuredClone(request) : undefined;
  }

  async attachMessage(id: string, channel: string, ts: string): Promise<void> {
    const request = this.requests.get(id);
    if (request) Object.assign(request, { messageChannel: channel, messageTs: ts });
  }

  async vote(id: string, approver: string, audit?: AppendAudit): Promise<VoteOutcome> {
    // No transaction in memory: the audit row is written first, as the vote's transaction orders it.
    await audit?.(NO_TRANSACTION);
    const settled = this.settle(id);
    if ('done' in settled) return settled.done;
    const { request } = settled;
    if (request.approvers.includes(approver)) return { kind: 'already_voted', request: structuredClone(request) };
    request.approvers.push(approver);
    if (request.approvers.length < request.requiredApprovals)
      return { kind: 'counted', request: structuredClone(request) };
    Object.assign(request, { status: 'approved', decidedBy: approver, decidedAt: this.now() });
    return { kind: 'approved', request: structuredClone(request) };
  }

  async decide(id: string, status: 'rejected' | 'cancelled', by: string, reason?: string): Promise<TransitionOutcome> {
    const settled = this.settle(id);
    if ('done' in settled) return settled.done;
    const { request } = settled;
    Object.assign(request, { status, decidedBy: by, decidedAt: this.now() });
    if (reason !== undefined) request.decisionReason = reason;
    return { kind: 'done', request: structuredClone(request) };
  }

  async finish(id: string, status: 'executed' | 'failed' | 'superseded', result: string): Promise<void> {
    const request = this.requests.get(id);
    if (request?.status === 'approved') Object.assign(request, { status, result });
  }

  async expireDue(): Promise<ApprovalRequest[]> {
    const now = this.now();
    const due = [...this.requests.values()].filter((r) => r.status === 'pending' && r.expiresAt <= now);
    for (const request of due) Object.assign(request, { status: 'expired', decidedAt: now });
    return due.map((r) => structuredClone(r));
  }

  private readonly running = new Set<string>();

  async exclusively<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
    if (this.running.has(name)) return undefined;
    this.running.add(name);
    try {
      return await work();
    } finally {
      this.running.delete(name);
    }
  }

  async approvedBefore(before: Date, limit = 50): Promise<ApprovalRequest[]> {
    return [...this.requests.values()]
      .filter((r) => r.status === 'approved' && r.decidedAt !== undefined && r.decidedAt <= before)
      .sort((a, b) => a.decidedAt!.getTime() - b.decidedAt!.getTime() || a.id.localeCompare(b.id))
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  async listPending(limit = 20): Promise<ApprovalRequest[]> {
    const now = this.now();
    return [...this.requests.values()]
      .filter((r) => r.status === 'pending' && r.expiresAt > now)
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  async listDecided(limit = 20): Promise<ApprovalRequest[]> {
    return [...this.requests.values()]
      .filter((r) => r.status !== 'pending')
      .reverse()
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  /** Settles expiry first; returns what to report when the request cannot be decided, or the request. */
  private settle(id: string): { done: Exclude<TransitionOutcome, { kind: 'done' }> } | { request: ApprovalRequest } {
    const request = this.requests.get(id);
    if (!request) return { done: { kind: 'not_found' } };
    if (request.status !== 'pending') return { done: { kind: 'not_pending', request: structuredClone(request) } };
    if (request.expiresAt <= this.now()) {
      Object.assign(request, { status: 'expired', decidedAt: this.now() });
      return { done: { kind: 'expired', request: structuredClone(request) } };
    }
    return { request };
  }
}
