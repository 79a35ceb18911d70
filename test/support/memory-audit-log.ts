import {
  GENESIS,
  hashOf,
  type AppendAudit,
  type AuditEntry,
  type AuditLog,
  type AuditRecord,
  type AuditTransaction,
  type AuditVerification,
} from '../../src/audit/audit-log.ts';

/** Memory keeps no transaction: an audit appended "in" one is simply recorded (MemoryAuditLog ignores it). */
export const NO_TRANSACTION: AuditTransaction = {
  query: () => Promise.reject(new Error('the memory stores have no transaction to run statements in')),
};

/**
 * The audit log port in memory, for the fast test tier: the same hash chain as PgAuditLog, checked by
 * the same contract tests (test/support/audit-log-contract.ts).
 */
export class MemoryAuditLog implements AuditLog {
  private readonly rows: AuditRecord[] = [];

  /** Memory never goes away: nothing is ever unavailable or left to write. */
  readonly unavailable = false;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async drain(): Promise<void> {}

  async record(entry: AuditEntry): Promise<AuditRecord> {
    const prevHash = this.rows.at(-1)?.hash ?? GENESIS;
    const at = new Date(this.now().getTime());
    const row = { ...entry, arguments: entry.arguments ?? {}, at, prevHash };
    const record: AuditRecord = { ...row, id: this.rows.length + 1, hash: hashOf(row) };
    this.rows.push(record);
    return structuredClone(record);
  }

  /** The rows land where `append` is called (memory has no transaction to roll them back with). */
  async recordWith<T>(entries: AuditEntry[], change: (append: AppendAudit) => Promise<T>): Promise<T> {
    let appended = false;
    const result = await change(async () => {
      appended = true;
      for (const entry of entries) await this.record(entry);
    });
    if (!appended) throw new Error('the change did not append its audit rows');
    return result;
  }

  async since(from: Date, limit = 10_000): Promise<AuditRecord[]> {
    return this.rows
      .filter((r) => r.at >= from)
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  async verify(): Promise<AuditVerification> {
    let prevHash = GENESIS;
    let checked = 0;
    for (const record of this.rows) {
      if (record.prevHash !== prevHash) {
        return {
          ok: false,
          checked,
          brokenAt: {
            id: record.id,
            reason: 'link to the previous row does not match (a row was removed or reordered)',
          },
        };
      }
      if (hashOf(record) !== record.hash)
        return {
          ok: false,
          checked,
          brokenAt: { id: record.id, reason: 'content does not match its hash (the row was edited)' },
        };
      prevHash = record.hash;
      checked += 1;
    }
    return { ok: true, checked };
  }

  /** Edits a row behind the log's back, as someone with database access could. */
  tamper(id: number, outcome: string): void {
    const row = this.rows.find((r) => r.id === id);
    if (row) row.outcome = outcome;
  }
}
