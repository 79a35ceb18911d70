import type { Pool } from './database.ts';
import { inTransaction } from './database.ts';
import { storableJson, storableText } from './safe-text.ts';
import {
  GENESIS,
  hashOf,
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

/**
 * Rows in chain order: ids are drawn as the sorted rows arrive, so ascending ids follow the chain (which
 * `verify` walks by id).
 */
const INSERT_BATCH = `
  INSERT INTO audit_log (at, request_id, team_id, channel_id, user_id, action, arguments, outcome, detail, prev_hash, hash)
  SELECT r.at, r.request_id, r.team_id, r.channel_id, r.user_id, r.action, r.arguments, r.outcome, r.detail, r.prev_hash, r.hash
  FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (
    at timestamptz, request_id text, team_id text, channel_id text, user_id text, action text,
    arguments jsonb, outcome text, detail text, prev_hash text, hash text)) WITH ORDINALITY
    AS r(at, request_id, team_id, channel_id, user_id, action, arguments, outcome, detail, prev_hash, hash, ord)
  ORDER BY r.ord
  RETURNING id, hash`;

/** Free text is bounded so a 10 kB reason cannot bloat every export; arguments keep their structure. */
const MAX_FIELD_CHARS = 2_000;

function storableEntry(entry: AuditEntry): AuditEntry {
  const text = (value: string | undefined) =>
    value === undefined ? undefined : storableText(value).slice(0, MAX_FIELD_CHARS);
  return {
    ...entry,
    requestId: text(entry.requestId) ?? '',
    teamId: text(entry.teamId),
    channelId: text(entry.channelId),
    userId: text(entry.userId),
    action: text(entry.action) ?? '',
    outcome: text(entry.outcome) ?? '',
    detail: text(entry.detail),
    arguments: entry.arguments === undefined ? undefined : storableJson(entry.arguments),
  };
}

interface Pending {
  entry: AuditEntry;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

/**
 * Append-only, hash-chained audit log in PostgreSQL. Writes are group-committed: entries arriving while
 * a batch is being written go into the next batch, so one lock and one round trip serve many requests
 * and the chain stays strictly ordered. Each caller still resolves only once its row is committed.
 */
export class PgAuditLog implements AuditLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private lastWriteFailed = false;

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
      // An entry recorded after the last batch was taken but before this ran would wait forever.
      if (this.queue.length > 0) this.startFlush();
    });
  }

  get unavailable(): boolean {
    return this.lastWriteFailed;
  }

  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
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

  private writeBatch(entries: AuditEntry[]): Promise<AuditRecord[]> {
    return inTransaction(this.pool, async (client) => {
      // One writer at a time extends the chain, whichever replica it runs in.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('eafix-audit-chain'))`);
      const last = await client.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
      let prevHash = last.rows[0]?.hash ?? GENESIS;
      // Millisecond precision so the hash input survives the timestamptz round trip.
      const at = new Date(Date.now());
      const records = entries.map((entry) => {
        const hash = hashOf({ ...entry, at, prevHash });
        const record = { ...entry, at, prevHash, hash };
        prevHash = hash;
        return record;
      });
      // The batch is one JSON parameter and the statement text never changes: building 11 parameters per
      // row (and a statement as long as the batch) cost more than the rows themselves. Only the ids come back.
      const rows = records.map((r) => ({
        at: r.at.toISOString(),
        request_id: r.requestId,
        team_id: r.teamId ?? null,
        channel_id: r.channelId ?? null,
        user_id: r.userId ?? null,
        action: r.action,
        arguments: r.arguments ?? {},
        outcome: r.outcome,
        detail: r.detail ?? null,
        prev_hash: r.prevHash,
        hash: r.hash,
      }));
      const inserted = await client.query<{ id: string; hash: string }>(INSERT_BATCH, [JSON.stringify(rows)]);
      const idOf = new Map(inserted.rows.map((row) => [row.hash, Number(row.id)]));
      return records.map((record) => ({ ...record, id: idOf.get(record.hash) as number }));
    });
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
