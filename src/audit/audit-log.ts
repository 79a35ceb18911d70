import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';

export interface AuditEntry {
  requestId: string;
  teamId?: string | undefined;
  channelId?: string | undefined;
  userId?: string | undefined;
  /** The action id (`rollback`) or an event name (`approval.approve`). */
  action: string;
  arguments?: Record<string, unknown> | undefined;
  /** `ok`, `denied`, `invalid`, `error`, `requested`, ... */
  outcome: string;
  detail?: string | undefined;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: Date;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** The first row whose hash or link does not match, when the chain is broken. */
  brokenAt?: { id: number; reason: string };
}

/** The transaction of a state change that carries its audit rows (a PostgreSQL client inside BEGIN). */
export interface AuditTransaction {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/**
 * Queues a change's audit rows in its transaction, before the change's own statements: the store making
 * the change calls it once, inside its transaction, with the client that transaction runs on.
 */
export type AppendAudit = (tx: AuditTransaction) => Promise<void>;

/** Makes a change with held audit rows in its transaction (AuditLog.recordWith, the rows already given). */
export type RecordAuditWith = <T>(change: (append: AppendAudit) => Promise<T>) => Promise<T>;

/** What the rest of the bot needs from the audit log. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<AuditRecord>;
  /**
   * Records `entries` in the transaction of the change they record, so both commit or neither does (a
   * round trip and a commit fewer than recording first): `change` makes it, calling `append` in its
   * transaction. Should another writer extend the chain first, the transaction aborts and `change` runs
   * again, so it must be safe to repeat until it commits. This process's other rows wait until `change`
   * ends: it must not itself wait for a row to be recorded, and should do little beyond its transaction.
   */
  recordWith<T>(entries: AuditEntry[], change: (append: AppendAudit) => Promise<T>): Promise<T>;
  /** True while the last write failed (the database is unreachable, as far as the log knows). */
  readonly unavailable: boolean;
  /** Resolves once every entry recorded so far is written or has failed (shutdown). */
  drain(): Promise<void>;
  since(from: Date, limit?: number): Promise<AuditRecord[]>;
  verify(): Promise<AuditVerification>;
}

/** The `prevHash` of the first row. */
export const GENESIS = 'genesis';

/** A row's hash covers its content and its predecessor's hash: editing or deleting a row breaks the chain. */
export function hashOf(row: Omit<AuditRecord, 'id' | 'hash'>): string {
  const content = canonicalJson({
    at: row.at.toISOString(),
    requestId: row.requestId,
    teamId: row.teamId ?? null,
    channelId: row.channelId ?? null,
    userId: row.userId ?? null,
    action: row.action,
    arguments: row.arguments ?? {},
    outcome: row.outcome,
    detail: row.detail ?? null,
    prevHash: row.prevHash,
  });
  return createHash('sha256').update(content).digest('hex');
}
