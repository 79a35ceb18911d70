import type { Pool } from './database.ts';
import type { DrRecord, DrRecordKind, DrRecords } from '../handlers/disaster-recovery/dr-records.ts';

interface Row {
  run_id: string;
  kind: DrRecordKind;
  environment: string;
  backup_name: string | null;
  passed: boolean;
  detail: string;
  backup_age_ms: string | null;
  recovery_ms: string | null;
  rto_ms: string | null;
  rpo_ms: string | null;
  started_at: Date;
  finished_at: Date;
}

const num = (v: string | null) => (v === null ? undefined : Number(v));

function toRecord(r: Row): DrRecord {
  return {
    runId: r.run_id,
    kind: r.kind,
    environment: r.environment,
    backupName: r.backup_name ?? undefined,
    passed: r.passed,
    detail: r.detail,
    backupAgeMs: num(r.backup_age_ms),
    recoveryMs: num(r.recovery_ms),
    rtoMs: num(r.rto_ms),
    rpoMs: num(r.rpo_ms),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** Backup verifications and DR drills in PostgreSQL, one row per run. */
export class PgDrRecords implements DrRecords {
  constructor(private readonly pool: Pool) {}

  async save(r: DrRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO dr_records (run_id, kind, environment, backup_name, passed, detail, backup_age_ms, recovery_ms,
         rto_ms, rpo_ms, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (run_id) DO NOTHING`,
      [
        r.runId,
        r.kind,
        r.environment,
        r.backupName ?? null,
        r.passed,
        r.detail,
        r.backupAgeMs ?? null,
        r.recoveryMs ?? null,
        r.rtoMs ?? null,
        r.rpoMs ?? null,
        r.startedAt,
        r.finishedAt,
      ],
    );
  }

  async list(kind: DrRecordKind, limit: number): Promise<DrRecord[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM dr_records WHERE kind = $1 ORDER BY finished_at DESC LIMIT $2',
      [kind, limit],
    );
    return rows.map(toRecord);
  }

  async lastPassed(kind: DrRecordKind): Promise<DrRecord | undefined> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM dr_records WHERE kind = $1 AND passed ORDER BY finished_at DESC LIMIT 1',
      [kind],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }
}
