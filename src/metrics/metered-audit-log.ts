import type { AppendAudit, AuditEntry, AuditLog, AuditRecord, AuditVerification } from '../audit/audit-log.ts';
import type { BotMetrics } from './bot-metrics.ts';

/**
 * Counts what the audit log records: every command's final outcome and every approval event. The audit
 * log is where each of them is already written exactly once, so counting there misses none.
 */
export class MeteredAuditLog implements AuditLog {
  constructor(
    private readonly inner: AuditLog,
    private readonly metrics: BotMetrics,
    /** Whether an audit action is a command (an action id, or `unknown` for what no action matches). */
    private readonly isCommand: (action: string) => boolean,
  ) {}

  get unavailable(): boolean {
    return this.inner.unavailable;
  }

  async record(entry: AuditEntry): Promise<AuditRecord> {
    const record = await this.inner.record(entry);
    this.count(entry);
    return record;
  }

  async recordWith<T>(entries: AuditEntry[], change: (append: AppendAudit) => Promise<T>): Promise<T> {
    const result = await this.inner.recordWith(entries, change);
    entries.forEach((entry) => this.count(entry));
    return result;
  }

  drain(): Promise<void> {
    return this.inner.drain();
  }

  since(from: Date, limit?: number): Promise<AuditRecord[]> {
    return this.inner.since(from, limit);
  }

  verify(): Promise<AuditVerification> {
    return this.inner.verify();
  }

  private count(entry: AuditEntry): void {
    if (entry.action.startsWith('approval.')) {
      this.metrics.approvals.inc({ state: entry.action.slice('approval.'.length) });
      return;
    }
    // A change is audited when it starts and again with its outcome: count the outcome.
    if (entry.outcome === 'started' || !this.isCommand(entry.action)) return;
    // `rejected:not_authorised` → `rejected`: the reason codes stay in the audit log, not in label values.
    this.metrics.commands.inc({ action: entry.action, outcome: entry.outcome.split(':')[0] ?? entry.outcome });
  }
}
