import type { Pool } from './database.ts';
import type { IncidentEvent } from '../handlers/incidents/incident-types.ts';
import type { Row } from './incident-rows.ts';

/**
 * Approvals and runs are not told about incidents; they mention them (a containment request's reason,
 * rollback's input). Reading them at render time keeps the timeline complete without coupling them.
 */
export async function relatedActivity(pool: Pool, id: string): Promise<IncidentEvent[]> {
  const pattern = `%${id}%`;
  const approvals = await pool.query(
    `SELECT id, action, requester, status, created_at, decided_by, decided_at, result FROM approval_requests
     WHERE arguments::text LIKE $1 OR reason LIKE $1 ORDER BY created_at`,
    [pattern],
  );
  const events: IncidentEvent[] = [];
  for (const row of approvals.rows as Row[]) {
    events.push({
      at: row.created_at as Date,
      kind: 'approval',
      actor: row.requester as string,
      text: `requested approval \`${String(row.id)}\` for \`/eafix ${String(row.action)}\``,
    });
    if (row.decided_at) {
      events.push({
        at: row.decided_at as Date,
        kind: 'approval',
        actor: (row.decided_by as string | null) ?? 'system',
        text: `approval \`${String(row.id)}\`: ${String(row.status)}${row.result ? ` (${String(row.result).slice(0, 200)})` : ''}`,
      });
    }
  }
  const hasRuns = await pool.query<{ present: boolean }>(`SELECT to_regclass('runs') IS NOT NULL AS present`);
  if (hasRuns.rows[0]?.present) {
    const runs = await pool.query(
      `SELECT id, action, requested_by, status, created_at, finished_at FROM runs WHERE input::text LIKE $1 ORDER BY created_at`,
      [pattern],
    );
    for (const row of runs.rows as Row[]) {
      events.push({
        at: row.created_at as Date,
        kind: 'run',
        actor: row.requested_by as string,
        text: `run \`${String(row.id)}\` of \`${String(row.action)}\` started`,
      });
      if (row.finished_at)
        events.push({
          at: row.finished_at as Date,
          kind: 'run',
          actor: 'system',
          text: `run \`${String(row.id)}\` ${String(row.status)}`,
        });
    }
  }
  return events;
}
