import type { AuditEntry, AuditLog, RecordAuditWith } from './audit-log.ts';

/**
 * An audit row held for the change it records (a request's `started` row, an approval's `approved` row):
 * written in that change's transaction (`recordWith`), or before any other row recorded through `audit`.
 * Whatever was never written (refused before the change, or the change failed) is `unrecorded`, for its
 * holder to write before its closing row: the row is never missing (twice at worst, should a change that
 * committed fail after).
 */
export class HeldAuditRow {
  private held: AuditEntry | undefined;
  /** The change's transaction that holds the row, while it runs. */
  private writing: Promise<unknown> | undefined;
  /** The audit log that writes the held row before any other. */
  readonly audit: AuditLog;

  constructor(row: AuditEntry, audit: AuditLog) {
    this.held = row;
    this.audit = heldRowFirst(
      audit,
      () => this.take(),
      (entry) => (this.held ??= entry),
    );
  }

  get unrecorded(): AuditEntry | undefined {
    return this.held;
  }

  /** Records the row in the transaction of `change` (AuditLog.recordWith), over the log without the wrapper. */
  recordWith(log: AuditLog): RecordAuditWith {
    return async (change) => {
      const row = this.take();
      if (!row) return change(async () => undefined);
      const writing = log.recordWith([row], change);
      this.writing = writing;
      try {
        return await writing;
      } catch (error) {
        // Rolled back with the change, most likely: recorded again before the closing row.
        this.held = row;
        throw error;
      } finally {
        this.writing = undefined;
      }
    };
  }

  /**
   * Resolves once the row is written, for what must not be shown before it: writes it now if it is still
   * held; waits for the change's transaction that holds it (and writes it if that rolled back).
   */
  async recorded(log: AuditLog): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
    const row = this.take();
    if (!row) return;
    try {
      await log.record(row);
    } catch (error) {
      this.held ??= row;
      throw error;
    }
  }

  private take(): AuditEntry | undefined {
    const entry = this.held;
    this.held = undefined;
    return entry;
  }
}

/** `audit`, writing the held row (while `takeHeld` still has it) before any other row. */
function heldRowFirst(
  audit: AuditLog,
  takeHeld: () => AuditEntry | undefined,
  putBack: (row: AuditEntry) => void,
): AuditLog {
  const heldFirst = async () => {
    const row = takeHeld();
    if (!row) return;
    try {
      await audit.record(row);
    } catch (error) {
      putBack(row);
      throw error;
    }
  };
  return {
    get unavailable() {
      return audit.unavailable;
    },
    record: async (entry) => {
      await heldFirst();
      return audit.record(entry);
    },
    recordWith: async (entries, change) => {
      await heldFirst();
      return audit.recordWith(entries, change);
    },
    drain: () => audit.drain(),
    since: (from, limit) => audit.since(from, limit),
    verify: () => audit.verify(),
  };
}
