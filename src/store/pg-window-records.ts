import type { Pool } from './database.ts';
import type {
  NewWindowRecord,
  WindowRecord,
  WindowRecords,
  WindowState,
} from '../handlers/maintenance/window-records.ts';

interface Row {
  id: string;
  window_name: string;
  environment: string;
  starts_at: Date;
  ends_at: Date;
  on_demand: boolean;
  state: WindowState;
  approval_id: string | null;
  approved_by: string[];
  run_id: string | null;
  announced_at: Date;
}

function toRecord(r: Row): WindowRecord {
  return {
    id: r.id,
    window: r.window_name,
    environment: r.environment,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    onDemand: r.on_demand,
    state: r.state,
    approvalId: r.approval_id ?? undefined,
    approvedBy: r.approved_by,
    runId: r.run_id ?? undefined,
    announcedAt: r.announced_at,
  };
}

/** Maintenance window occurrences in PostgreSQL; every state change a conditional UPDATE. */
export class PgWindowRecords implements WindowRecords {
  constructor(private readonly pool: Pool) {}

  async claim(r: NewWindowRecord): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO maintenance_windows
         (id, window_name, environment, starts_at, ends_at, on_demand, state, approval_id, approved_by, run_id, announced_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO NOTHING`,
      [
        r.id,
        r.window,
        r.environment,
        r.startsAt,
        r.endsAt,
        r.onDemand,
        r.state,
        r.approvalId ?? null,
        r.approvedBy ?? [],
        r.runId ?? null,
        r.announcedAt,
      ],
    );
    return result.rowCount === 1;
  }

  async get(id: string): Promise<WindowRecord | undefined> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM maintenance_windows WHERE id = $1', [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async attachApproval(id: string, approvalId: string): Promise<void> {
    await this.pool.query('UPDATE maintenance_windows SET approval_id = $2 WHERE id = $1 AND approval_id IS NULL', [
      id,
      approvalId,
    ]);
  }

  async approve(id: string, approvedBy: string[], approvalId?: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE maintenance_windows SET state = 'approved', approved_by = $2, approval_id = COALESCE($3, approval_id)
        WHERE id = $1 AND state = 'announced'`,
      [id, approvedBy, approvalId ?? null],
    );
    return result.rowCount === 1;
  }

  async markRunning(id: string, runId: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE maintenance_windows SET state = 'running', run_id = $2 WHERE id = $1 AND state = 'approved'`,
      [id, runId],
    );
    return result.rowCount === 1;
  }

  async skip(id: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE maintenance_windows SET state = 'skipped' WHERE id = $1 AND state = 'announced'`,
      [id],
    );
    return result.rowCount === 1;
  }

  async recent(window: string, limit: number): Promise<WindowRecord[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM maintenance_windows WHERE window_name = $1 ORDER BY starts_at DESC LIMIT $2',
      [window, limit],
    );
    return rows.map(toRecord);
  }
}
