import type { AppendAudit } from '../audit/audit-log.ts';
import type { Pool, PoolClient } from './database.ts';
import { connectUnpooled, inOneRoundTrip, inTransaction, LOCK_SPACE, lockUntilCommit } from './database.ts';
import { newId } from './row-ids.ts';
import { planHash } from '../permissions/plan-hash.ts';
import type {
  ApprovalRequest,
  ApprovalStore,
  NewApprovalRequest,
  PlanItem,
  TransitionOutcome,
  VoteOutcome,
} from '../permissions/approval-types.ts';

type Row = Record<string, unknown> & { approvers?: string[] | null };

function fromRow(row: Row): ApprovalRequest {
  const optional = <T>(v: unknown) => (v === null || v === undefined ? undefined : (v as T));
  return {
    id: row.id as string,
    action: row.action as string,
    permission: row.permission as string,
    arguments: row.arguments as Record<string, unknown>,
    plan: row.plan as PlanItem[],
    planHash: row.plan_hash as string,
    reason: row.reason as string,
    requester: row.requester as string,
    teamId: row.team_id as string,
    channelId: row.channel_id as string,
    requestId: row.request_id as string,
    requiredApprovals: row.required_approvals as number,
    status: row.status as ApprovalRequest['status'],
    createdAt: row.created_at as Date,
    expiresAt: row.expires_at as Date,
    decidedBy: optional(row.decided_by),
    decidedAt: optional(row.decided_at),
    decisionReason: optional(row.decision_reason),
    messageChannel: optional(row.message_channel),
    messageTs: optional(row.message_ts),
    result: optional(row.result),
    approvers: row.approvers ?? [],
  };
}

interface LockedRow {
  status: string;
  expired: boolean;
  required_approvals: number;
}

const LOCK_PENDING =
  'SELECT status, expires_at <= $2 AS expired, required_approvals FROM approval_requests WHERE id = $1 FOR UPDATE';

const SELECT = `SELECT r.*, COALESCE((SELECT array_agg(v.approver ORDER BY v.at) FROM approval_votes v WHERE v.request_id = r.id), '{}') AS approvers
                FROM approval_requests r`;

/** Expiry is decided by the injected clock (the one that set `expiresAt`), never by the database's. */
export class PgApprovalStore implements ApprovalStore {
  constructor(
    private readonly pool: Pool,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(request: NewApprovalRequest): Promise<ApprovalRequest> {
    const hash = planHash(request.plan);
    if (request.id) {
      await this.insert(this.pool, request.id, request, hash);
      return (await this.get(request.id)) as ApprovalRequest;
    }
    const subject = [request.teamId, request.channelId, request.action, hash];
    return inTransaction(this.pool, async (client) => {
      // One asker at a time per subject; the look-up below sees a request committed while this one waited.
      await lockUntilCommit(client, LOCK_SPACE.approvalSubject, subject.join(':'));
      const pending = await client.query<Row>(
        `${SELECT} WHERE r.team_id = $1 AND r.channel_id = $2 AND r.action = $3 AND r.plan_hash = $4
           AND r.arguments = $5::jsonb AND r.status = 'pending' AND r.expires_at > $6 ORDER BY r.created_at LIMIT 1`,
        [...subject, JSON.stringify(request.arguments), this.now()],
      );
      if (pending.rows[0]) return fromRow(pending.rows[0]);
      return fromRow({ ...(await this.insert(client, newId('apr'), request, hash))!, approvers: [] });
    });
  }

  /** Inserts the request unless its id exists; the row inserted, or undefined. */
  private async insert(client: Pool | PoolClient, id: string, request: NewApprovalRequest, hash: string) {
    const result = await client.query<Row>(
      `INSERT INTO approval_requests (id, action, permission, arguments, plan, plan_hash, reason, requester, team_id, channel_id,
                                      request_id, required_approvals, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [
        id,
        request.action,
        request.permission,
        JSON.stringify(request.arguments),
        JSON.stringify(request.plan),
        hash,
        request.reason,
        request.requester,
        request.teamId,
        request.channelId,
        request.requestId,
        request.requiredApprovals,
        request.expiresAt,
      ],
    );
    return result.rows[0];
  }

  async get(id: string, client: Pool | PoolClient = this.pool): Promise<ApprovalRequest | undefined> {
    const result = await client.query<Row>(`${SELECT} WHERE r.id = $1`, [id]);
    return result.rows[0] ? fromRow(result.rows[0]) : undefined;
  }

  async attachMessage(id: string, channel: string, ts: string): Promise<void> {
    await this.pool.query('UPDATE approval_requests SET message_channel = $2, message_ts = $3 WHERE id = $1', [
      id,
      channel,
      ts,
    ]);
  }

  /**
   * Locks a request's row (serialising every click on it, across replicas) and settles expiry first.
   * Returns the outcome to report when the request cannot be decided, or the locked row.
   */
  private async lockPending(
    client: PoolClient,
    id: string,
  ): Promise<{ done: Exclude<TransitionOutcome, { kind: 'done' }> } | { row: LockedRow }> {
    const now = this.now();
    const locked = await client.query<LockedRow>(LOCK_PENDING, [id, now]);
    const done = await this.undecidable(locked.rows[0], id, now, client);
    return done ? { done } : { row: locked.rows[0]! };
  }

  /**
   * Why a request, as its lock found it, cannot be decided (absent, decided, expired: expired here), or
   * undefined when it can. Expiring it is guarded, so it may run after the lock's transaction ended.
   */
  private async undecidable(
    row: LockedRow | undefined,
    id: string,
    now: Date,
    client: Pool | PoolClient = this.pool,
  ): Promise<Exclude<TransitionOutcome, { kind: 'done' }> | undefined> {
    if (!row) return { kind: 'not_found' };
    if (row.status !== 'pending') return { kind: 'not_pending', request: (await this.get(id, client))! };
    if (!row.expired) return undefined;
    await client.query(
      `UPDATE approval_requests SET status = 'expired', decided_at = $2 WHERE id = $1 AND status = 'pending'`,
      [id, now],
    );
    return { kind: 'expired', request: (await this.get(id, client))! };
  }

  async vote(id: string, approver: string, audit?: AppendAudit): Promise<VoteOutcome> {
    const now = this.now();
    // One round trip: BEGIN, the click's audit row (when given), the row lock (serialising every click on
    // the request, across replicas), the vote and COMMIT. The vote changes nothing unless the request is still pending and unexpired. The
    // vote, the count and, when it is the last one needed, the decision read back as `get` reads it are
    // one statement; its snapshot is taken once the lock is granted, so it counts every earlier vote, but
    // not the one it adds (hence `|| $2` for the approvers). A vote's time is when it is counted, under the
    // lock (not when its transaction began), so the approvers' order is the order their votes counted in.
    // The click's audit row goes first: if it cannot be appended, the transaction aborts and nothing is counted.
    const [, locked, voted] = await inOneRoundTrip(this.pool, (client) =>
      Promise.all([
        audit?.(client),
        client.query<LockedRow>(LOCK_PENDING, [id, now]),
        client.query<Row & { added: number }>(
          `WITH added AS (INSERT INTO approval_votes (request_id, approver, at)
                            SELECT $1, $2, clock_timestamp() FROM approval_requests
                             WHERE id = $1 AND status = 'pending' AND expires_at > $3
                          ON CONFLICT DO NOTHING RETURNING 1),
                earlier AS (SELECT coalesce(array_agg(approver ORDER BY at), '{}') AS approvers FROM approval_votes WHERE request_id = $1),
                decided AS (
                  UPDATE approval_requests r SET status = 'approved', decided_by = $2, decided_at = $3
                  FROM earlier WHERE r.id = $1 AND EXISTS (SELECT 1 FROM added)
                    AND cardinality(earlier.approvers) + 1 >= r.required_approvals
                  RETURNING r.*, earlier.approvers || $2::text AS approvers)
           SELECT (SELECT count(*) FROM added)::int AS added, decided.* FROM (VALUES (1)) AS one LEFT JOIN decided ON true`,
          [id, approver, now],
        ),
      ]),
    );
    const undecidable = await this.undecidable(locked.rows[0], id, now);
    if (undecidable) return undecidable;
    const row = voted.rows[0];
    if (!row?.added) return { kind: 'already_voted', request: (await this.get(id))! };
    if (row.id === null) return { kind: 'counted', request: (await this.get(id))! };
    return { kind: 'approved', request: fromRow(row) };
  }

  async decide(id: string, status: 'rejected' | 'cancelled', by: string, reason?: string): Promise<TransitionOutcome> {
    return inTransaction(this.pool, async (client) => {
      const locked = await this.lockPending(client, id);
      if ('done' in locked) return locked.done;
      await client.query(
        'UPDATE approval_requests SET status = $2, decided_by = $3, decided_at = $5, decision_reason = $4 WHERE id = $1',
        [id, status, by, reason ?? null, this.now()],
      );
      return { kind: 'done', request: (await this.get(id, client))! };
    });
  }

  async finish(id: string, status: 'executed' | 'failed' | 'superseded', result: string): Promise<void> {
    await this.pool.query(
      `UPDATE approval_requests SET status = $2, result = $3 WHERE id = $1 AND status = 'approved'`,
      [id, status, result],
    );
  }

  async expireDue(): Promise<ApprovalRequest[]> {
    const result = await this.pool.query<{ id: string }>(
      `UPDATE approval_requests SET status = 'expired', decided_at = $1
       WHERE status = 'pending' AND expires_at <= $1 RETURNING id`,
      [this.now()],
    );
    const expired = await Promise.all(result.rows.map((r) => this.get(r.id)));
    return expired.filter((r): r is ApprovalRequest => r !== undefined);
  }

  async exclusively<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
    // A session lock on a connection of its own, held while `work` uses the pool: it ends with the session
    // if this process dies, so the next sweep anywhere takes over.
    const client = await connectUnpooled(this.pool, undefined, `approvals: ${name}`);
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        `eafix-approvals:${name}`,
      ]);
      if (!rows[0]?.locked) return undefined;
      return await work();
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async approvedBefore(before: Date, limit = 50): Promise<ApprovalRequest[]> {
    const result = await this.pool.query<Row>(
      `${SELECT} WHERE r.status = 'approved' AND r.decided_at <= $1 ORDER BY r.decided_at, r.id LIMIT $2`,
      [before, limit],
    );
    return result.rows.map(fromRow);
  }

  async listPending(limit = 20): Promise<ApprovalRequest[]> {
    const result = await this.pool.query<Row>(
      `${SELECT} WHERE r.status = 'pending' AND r.expires_at > $2 ORDER BY r.created_at LIMIT $1`,
      [limit, this.now()],
    );
    return result.rows.map(fromRow);
  }

  async listDecided(limit = 20): Promise<ApprovalRequest[]> {
    const result = await this.pool.query<Row>(
      `${SELECT} WHERE r.status <> 'pending' ORDER BY r.created_at DESC LIMIT $1`,
      [limit],
    );
    return result.rows.map(fromRow);
  }
}
