import { isDatabaseUnavailable, type Pool } from './database.ts';
import {
  APPEND_BATCH,
  APPEND_IN_TRANSACTION,
  AUDIT_CHAIN_MOVED,
  MAX_APPEND_TRIES,
  chained,
  isForkRefused,
  storableEntry,
} from './audit-append.ts';
import {
  GENESIS,
  hashOf,
  type AppendAudit,
  type AuditEntry,
  type AuditLog,
  type AuditRecord,
  type AuditVerification,
} from '../audit/audit-log.ts';

interface AuditRow {
  id: string;
  at: Date;
  request_id: string;
  team_id: string | null;
  channel_id: string | null;
  user_id: string | null;
  action: string;
  arguments: Record<string, unknown>;
  outcome: string;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

function fromRow(row: AuditRow): AuditRecord {
  return {
    id: Number(row.id),
    at: row.at,
    requestId: row.request_id,
    teamId: row.team_id ?? undefined,
    channelId: row.channel_id ?? undefined,
    userId: row.user_id ?? undefined,
    action: row.action,
    arguments: row.arguments,
    outcome: row.outcome,
    detail: row.detail ?? undefined,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

interface Pending {
  entry: AuditEntry;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

/**
 * Append-only, hash-chained audit log in PostgreSQL. Writes are group-committed: entries arriving while
 * a batch is being written go into the next batch, so one statement serves many requests and the chain
 * stays strictly ordered; replicas writing at once are kept to one chain by the database (APPEND_BATCH).
 * Each caller still resolves only once its row is committed.
 */
export class PgAuditLog implements AuditLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private lastWriteFailed = false;
  /** The hash of the newest row as this process last wrote it; unknown after a failed or lost append. */
  private chainEnd: string | undefined;
  /** Changes waiting to hold the chain (recordWith). */
  private holdsWaiting = 0;

  constructor(private readonly pool: Pool) {}

  record(entry: AuditEntry): Promise<AuditRecord> {
    return new Promise((resolve, reject) => {
      // Made storable before it joins a batch: one person's NUL byte must never fail another's row.
      this.queue.push({ entry: storableEntry(entry), resolve, reject });
      this.startFlush();
    });
  }

  private startFlush(): void {
    this.flushing ??= this.flush().finally(() => {
      this.flushing = undefined;
      // An entry recorded after the last batch was taken but before this ran would wait forever (a change
      // waiting to hold the chain goes first: its release starts the next batch).
      if (this.queue.length > 0 && this.holdsWaiting === 0) this.startFlush();
    });
  }

  /**
   * Records `entries` in the transaction of the change they record (AuditLog.recordWith). This process's
   * chain is held until that transaction ends: its batches wait, so nothing of its own is chained from
   * the same end. A transaction that failed leaves the end unknown (it is read again before the next write).
   */
  async recordWith<T>(entries: AuditEntry[], change: (append: AppendAudit) => Promise<T>): Promise<T> {
    const stored = entries.map(storableEntry);
    for (let tries = 1; ; tries += 1) {
      const release = await this.holdChain();
      let appendFailure: unknown;
      try {
        const prevHash = this.chainEnd ?? (await this.readChainEnd());
        this.chainEnd = undefined;
        // Built before the change starts: `append` only sends the statement, so the change's transaction
        // holds it from its first statement on (nothing can fail in between and leave the change unaudited).
        const { records, rows } = chained(stored, prevHash);
        const values = [JSON.stringify(rows), prevHash];
        let appended = false;
        const result = await change(async (tx) => {
          appended = true;
          await tx.query(APPEND_IN_TRANSACTION, values).catch((error: unknown) => {
            appendFailure = error;
            throw error;
          });
        });
        if (!appended) throw new Error('audit log: the change did not append its audit rows');
        this.chainEnd = records.at(-1)?.hash;
        this.lastWriteFailed = false;
        return result;
      } catch (error) {
        // The append's own error, not whichever of the transaction's statements the change reports (the
        // ones behind it fail too, as "transaction aborted", and may be reported first).
        const cause = appendFailure ?? error;
        const moved = (cause as { code?: string }).code === AUDIT_CHAIN_MOVED || isForkRefused(cause);
        if (!moved) {
          // The log is unavailable if its own write failed, not when the change did (a lock wait, say).
          if (appendFailure !== undefined || isDatabaseUnavailable(error)) this.lastWriteFailed = true;
          throw error;
        }
        if (tries >= MAX_APPEND_TRIES) throw new Error(`audit log: lost ${tries} appends in a row to other writers`);
      } finally {
        release();
      }
    }
  }

  /** Takes this process's end of the chain from its batches until the returned release is called. */
  private async holdChain(): Promise<() => void> {
    // Batches stop at the one under way, so a steady stream of rows cannot keep a change waiting.
    this.holdsWaiting += 1;
    try {
      while (this.flushing) await this.flushing;
    } finally {
      this.holdsWaiting -= 1;
    }
    let released!: () => void;
    this.flushing = new Promise<void>((resolve) => (released = resolve));
    return () => {
      this.flushing = undefined;
      released();
      if (this.queue.length > 0) this.startFlush();
    };
  }

  get unavailable(): boolean {
    return this.lastWriteFailed;
  }

  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0 && this.holdsWaiting === 0) {
      const batch = this.queue.splice(0, 500);
      try {
        const records = await this.writeBatch(batch.map((p) => p.entry));
        this.lastWriteFailed = false;
        batch.forEach((p, i) => p.resolve(records[i] as AuditRecord));
      } catch (error) {
        this.lastWriteFailed = true;
        if (batch.length === 1) batch[0]?.reject(error);
        else await this.writeEach(batch);
      }
    }
  }

  /** A failed batch is retried row by row, so a row the database refuses fails only its own caller. */
  private async writeEach(batch: Pending[]): Promise<void> {
    for (const pending of batch) {
      try {
        const [record] = await this.writeBatch([pending.entry]);
        this.lastWriteFailed = false;
        pending.resolve(record as AuditRecord);
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  /**
   * One statement per batch while this process is the chain's only writer (it remembers the end it
   * wrote); a read of the end first when it does not know it or lost a race to another replica.
   */
  private async writeBatch(entries: AuditEntry[]): Promise<AuditRecord[]> {
    for (let tries = 1; ; tries += 1) {
      const prevHash = this.chainEnd ?? (await this.readChainEnd());
      this.chainEnd = undefined;
      try {
        const records = await this.append(entries, prevHash);
        if (records) {
          this.chainEnd = records.at(-1)?.hash;
          return records;
        }
      } catch (error) {
        if (!isForkRefused(error)) throw error;
      }
      if (tries >= MAX_APPEND_TRIES) throw new Error(`audit log: lost ${tries} appends in a row to other writers`);
    }
  }

  private async readChainEnd(): Promise<string> {
    const last = await this.pool.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
    return last.rows[0]?.hash ?? GENESIS;
  }

  /** The batch chained after `prevHash`, or undefined when that is no longer the chain's end. */
  private async append(entries: AuditEntry[], prevHash: string): Promise<AuditRecord[] | undefined> {
    const { records, rows } = chained(entries, prevHash);
    const inserted = await this.pool.query<{ id: string; hash: string }>(APPEND_BATCH, [
      JSON.stringify(rows),
      prevHash,
    ]);
    if (inserted.rows.length === 0) return undefined;
    const idOf = new Map(inserted.rows.map((row) => [row.hash, Number(row.id)]));
    return records.map((record) => ({ ...record, id: idOf.get(record.hash) as number }));
  }

  async since(from: Date, limit = 10_000): Promise<AuditRecord[]> {
    const result = await this.pool.query<AuditRow>('SELECT * FROM audit_log WHERE at >= $1 ORDER BY id LIMIT $2', [
      from,
      limit,
    ]);
    return result.rows.map(fromRow);
  }

  async verify(): Promise<AuditVerification> {
    let prevHash = GENESIS;
    let checked = 0;
    let lastId = 0;
    // Page through the chain so a large log never sits in memory at once.
    for (;;) {
      const page = await this.pool.query<AuditRow>('SELECT * FROM audit_log WHERE id > $1 ORDER BY id LIMIT 1000', [
        lastId,
      ]);
      if (page.rows.length === 0) return { ok: true, checked };
      for (const row of page.rows) {
        const record = fromRow(row);
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
        if (hashOf(record) !== record.hash) {
          return {
            ok: false,
            checked,
            brokenAt: { id: record.id, reason: 'content does not match its hash (the row was edited)' },
          };
        }
        prevHash = record.hash;
        lastId = record.id;
        checked += 1;
      }
    }
  }
}
