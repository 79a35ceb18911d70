import type { AuditEntry, AuditLog, RecordAuditWith } from './audit-log.ts';

/**
 * An audit row held for the change it records (a request's `started` row, an approval's `approved` row),
 * written once, by the first of:
 * - the change's transaction (`recordWith`);
 * - any other row recorded through `audit`, before that row;
 * - `recorded`: before something is shown that must not come before the row, and by the holder before its
 *   closing row, should nothing else have written it (refused before the change, or the change failed).
 * So the row is never missing (twice at worst, should a change that committed fail after). One write at a
 * time: each waits for a write under way, and takes the row back if that write failed, so nothing recorded
 * or shown through the holder overtakes the row.
 */
export class HeldAuditRow {
  private held: AuditEntry | undefined;
  /** The write of the row under way, if any. */
  private writing: Promise<unknown> | undefined;
  /** The audit log that writes the held row before any other. */
  readonly audit: AuditLog;

  constructor(row: AuditEntry, audit: AuditLog) {
    this.held = row;
    this.audit = heldRowFirst(audit, () => this.recorded(audit));
  }

  /**
   * Makes a change with the row in its transaction (AuditLog.recordWith), over the log without the wrapper.
   * The change must not itself record through this holder (`audit`, `recorded`): it would wait for itself.
   */
  recordWith(log: AuditLog): RecordAuditWith {
    return (change) => this.write((row) => (row ? log.recordWith([row], change) : change(async () => undefined)));
  }

  /** Resolves once the row is written: now, if it is still held, after the write under way otherwise. */
  async recorded(log: AuditLog): Promise<void> {
    await this.write(async (row) => {
      if (row) await log.record(row);
    });
  }

  /** Takes the row (once any write under way has ended) and runs `write` with it, undefined if it is written. */
  private async write<T>(write: (row: AuditEntry | undefined) => Promise<T>): Promise<T> {
    while (this.writing) await this.writing.catch(() => undefined);
    const row = this.held;
    this.held = undefined;
    if (!row) return write(undefined);
    // A write that throws at once fails like one that rejects: the row is put back, not lost.
    const writing = (async () => write(row))();
    this.writing = writing;
    try {
      return await writing;
    } catch (error) {
      // Rolled back with the change, most likely: written again by whatever comes next.
      this.held ??= row;
      throw error;
    } finally {
      this.writing = undefined;
    }
  }
}

/** `audit`, having `heldFirst` write the held row before any other row. */
function heldRowFirst(audit: AuditLog, heldFirst: () => Promise<void>): AuditLog {
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
