import type { Pool } from './database.ts';
import { newId } from './row-ids.ts';
import type { BreakGlassLog, BreakGlassUse, PlanItem } from '../permissions/approval-types.ts';

function fromRow(row: Record<string, unknown>): BreakGlassUse {
  return {
    id: row.id as string,
    action: row.action as string,
    arguments: row.arguments as Record<string, unknown>,
    plan: row.plan as PlanItem[],
    reason: row.reason as string,
    usedBy: row.used_by as string,
    teamId: row.team_id as string,
    channelId: row.channel_id as string,
    requestId: row.request_id as string,
    at: row.at as Date,
    reviewedBy: (row.reviewed_by as string | null) ?? undefined,
    reviewedAt: (row.reviewed_at as Date | null) ?? undefined,
    reviewNote: (row.review_note as string | null) ?? undefined,
  };
}

export class PgBreakGlassLog implements BreakGlassLog {
  constructor(private readonly pool: Pool) {}

  async record(use: Omit<BreakGlassUse, 'id' | 'at'>): Promise<BreakGlassUse> {
    const result = await this.pool.query(
      `INSERT INTO break_glass_uses (id, action, arguments, plan, reason, used_by, team_id, channel_id, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        newId('bg'),
        use.action,
        JSON.stringify(use.arguments),
        JSON.stringify(use.plan),
        use.reason,
        use.usedBy,
        use.teamId,
        use.channelId,
        use.requestId,
      ],
    );
    return fromRow(result.rows[0]);
  }

  async unreviewed(limit = 20): Promise<BreakGlassUse[]> {
    const result = await this.pool.query(
      'SELECT * FROM break_glass_uses WHERE reviewed_by IS NULL ORDER BY at LIMIT $1',
      [limit],
    );
    return result.rows.map(fromRow);
  }

  async get(id: string): Promise<BreakGlassUse | undefined> {
    const result = await this.pool.query('SELECT * FROM break_glass_uses WHERE id = $1', [id]);
    return result.rows[0] ? fromRow(result.rows[0]) : undefined;
  }

  async review(id: string, by: string, note: string): Promise<BreakGlassUse | undefined> {
    const result = await this.pool.query(
      `UPDATE break_glass_uses SET reviewed_by = $2, reviewed_at = now(), review_note = $3
       WHERE id = $1 AND reviewed_by IS NULL RETURNING *`,
      [id, by, note],
    );
    return result.rows[0] ? fromRow(result.rows[0]) : undefined;
  }
}
