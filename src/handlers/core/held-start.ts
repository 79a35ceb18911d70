import type { AppendAudit, AuditEntry, AuditLog } from '../../audit/audit-log.ts';

/**
 * A request's `started` audit row held for an action that `recordsStart`: written in its change's
 * transaction (`recordWith`), or before any other row the action records for the request (`audit`).
 * Whatever was never written (the action refused before its change, or the change failed) is `unrecorded`:
 * invoke writes it before the closing row, so the row is never missing (twice at worst, should a change
 * that committed fail after).
 */
export class HeldStart {
  private held: AuditEntry | undefined;
  /** The audit log that writes the held row before any other. */
  readonly audit: AuditLog;

  constructor(start: AuditEntry, audit: AuditLog) {
    this.held = start;
    this.audit = startedFirst(
      audit,
      () => this.take(),
      (entry) => (this.held ??= entry),
    );
  }

  get unrecorded(): AuditEntry | undefined {
    return this.held;
  }

  /** ActionContext.recordStartWith, over the log without the wrapper. */
  recordWith(log: AuditLog) {
    return async <T>(change: (append: AppendAudit) => Promise<T>): Promise<T> => {
      const start = this.take();
      if (!start) return change(async () => undefined);
      try {
        return await log.recordWith([start], change);
      } catch (error) {
        // Rolled back with the change, most likely: recorded again before the closing row.
        this.held = start;
        throw error;
      }
    };
  }

  private take(): AuditEntry | undefined {
    const entry = this.held;
    this.held = undefined;
    return entry;
  }
}

/** `audit`, writing the request's started row (while `takeStart` still has it) before any other row. */
function startedFirst(
  audit: AuditLog,
  takeStart: () => AuditEntry | undefined,
  putBack: (start: AuditEntry) => void,
): AuditLog {
  const startFirst = async () => {
    const start = takeStart();
    if (!start) return;
    try {
      await audit.record(start);
    } catch (error) {
      putBack(start);
      throw error;
    }
  };
  return {
    get unavailable() {
      return audit.unavailable;
    },
    record: async (entry) => {
      await startFirst();
      return audit.record(entry);
    },
    recordWith: async (entries, change) => {
      await startFirst();
      return audit.recordWith(entries, change);
    },
    drain: () => audit.drain(),
    since: (from, limit) => audit.since(from, limit),
    verify: () => audit.verify(),
  };
}
