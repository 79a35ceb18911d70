import { connectUnpooled, inTransaction, LOCK_SPACE, lockUntilCommit, type Pool, type PoolClient } from './database.ts';
import type { Logger } from '../logger.ts';
import type {
  Incident,
  IncidentEvent,
  IncidentStatus,
  IncidentStore,
  NewIncident,
  NewIncidentEvent,
  SetupStep,
} from '../handlers/incidents/incident-types.ts';
import { formatIncidentId, fromRow, type Row } from './incident-rows.ts';
import { relatedActivity } from './incident-related-activity.ts';

// The incident id format stays importable from the store.
export { formatIncidentId } from './incident-rows.ts';

/** How long a caller waits for another replica's work on the same incident. */
const LOCK_WAIT_MS = 120_000;

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

export class PgIncidentStore implements IncidentStore {
  constructor(
    private readonly pool: Pool,
    private readonly logger?: Logger,
  ) {}

  async create(
    incident: NewIncident,
    now: Date,
    nextUpdateDue: Date,
  ): Promise<{ incident: Incident; created: boolean }> {
    const existing = await this.byRequest(incident.requestId);
    if (existing) return { incident: existing, created: false };
    try {
      return await inTransaction(this.pool, async (client) => {
        if (incident.onePerOpenTitle) {
          const open = await this.openTitled(client, incident.title);
          if (open) return { incident: open, created: false };
        }
        // The day row is locked until commit, so concurrent creations get consecutive numbers.
        const day = now.toISOString().slice(0, 10);
        const seq = await client.query<{ last_seq: number }>(
          `INSERT INTO incident_days (day, last_seq) VALUES ($1, 1)
           ON CONFLICT (day) DO UPDATE SET last_seq = incident_days.last_seq + 1 RETURNING last_seq`,
          [day],
        );
        const id = formatIncidentId(now, seq.rows[0]!.last_seq);
        const result = await client.query(
          `INSERT INTO incidents (id, request_id, title, description, severity, type, systems, requested_by, team_id,
                                  origin_channel, next_update_due, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING *`,
          [
            id,
            incident.requestId,
            incident.title,
            incident.description,
            incident.severity,
            incident.type,
            incident.systems,
            incident.requestedBy,
            incident.teamId,
            incident.originChannel ?? null,
            nextUpdateDue,
            now,
          ],
        );
        return { incident: fromRow(result.rows[0]), created: true };
      });
    } catch (error) {
      // The same request id raced us and won: theirs is the incident.
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.byRequest(incident.requestId);
      if (!winner) throw error;
      return { incident: winner, created: false };
    }
  }

  /** The open incident of this title, asked under a lock on the title, so two declarations of it at once make one. */
  private async openTitled(client: PoolClient, title: string): Promise<Incident | undefined> {
    await lockUntilCommit(client, LOCK_SPACE.incidentTitle, title);
    const result = await client.query(
      `SELECT * FROM incidents WHERE title = $1 AND status <> 'resolved' ORDER BY created_at LIMIT 1`,
      [title],
    );
    return result.rows[0] ? fromRow(result.rows[0]) : undefined;
  }

  private async one(sql: string, params: unknown[]): Promise<Incident | undefined> {
    const result = await this.pool.query(sql, params);
    return result.rows[0] ? fromRow(result.rows[0]) : undefined;
  }

  private byRequest(requestId: string) {
    return this.one('SELECT * FROM incidents WHERE request_id = $1', [requestId]);
  }

  get(id: string) {
    return this.one('SELECT * FROM incidents WHERE id = $1', [id]);
  }

  byChannel(channelId: string) {
    return this.one('SELECT * FROM incidents WHERE channel_id = $1', [channelId]);
  }

  async listOpen(limit = 50): Promise<Incident[]> {
    const result = await this.pool.query(
      `SELECT * FROM incidents WHERE status <> 'resolved' ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return result.rows.map(fromRow);
  }

  async claimChannelName(id: string, name: string): Promise<void> {
    await this.pool.query('UPDATE incidents SET channel_name = $2 WHERE id = $1 AND channel_id IS NULL', [id, name]);
  }

  async attachChannel(id: string, channelId: string, name: string): Promise<boolean> {
    try {
      const result = await this.pool.query(
        `UPDATE incidents SET channel_id = $2, channel_name = $3 WHERE id = $1 AND (channel_id IS NULL OR channel_id = $2)`,
        [id, channelId, name],
      );
      return (result.rowCount ?? 0) > 0;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async markSetup(id: string, step: SetupStep, value: unknown = true): Promise<void> {
    await this.pool.query(
      `UPDATE incidents SET setup = setup || jsonb_build_object($2::text, $3::jsonb) WHERE id = $1`,
      [id, step, JSON.stringify(value)],
    );
  }

  async setMessages(id: string, fields: { templateTs?: string; checklistTs?: string }): Promise<void> {
    await this.pool.query(
      `UPDATE incidents SET template_ts = COALESCE($2, template_ts), checklist_ts = COALESCE($3, checklist_ts) WHERE id = $1`,
      [id, fields.templateTs ?? null, fields.checklistTs ?? null],
    );
  }

  setCommander(id: string, commander: string, now: Date) {
    return this.one(
      `UPDATE incidents SET commander = $2, updated_at = $3 WHERE id = $1 AND status <> 'resolved' RETURNING *`,
      [id, commander, now],
    );
  }

  recordUpdate(id: string, status: IncidentStatus | undefined, nextUpdateDue: Date, now: Date) {
    return this.one(
      `UPDATE incidents SET status = COALESCE($2, status), reminder_seq = reminder_seq + 1, next_update_due = $3, updated_at = $4
       WHERE id = $1 AND status <> 'resolved' RETURNING *`,
      [id, status ?? null, nextUpdateDue, now],
    );
  }

  advanceReminder(id: string, seq: number, nextUpdateDue: Date, now: Date) {
    return this.one(
      `UPDATE incidents SET reminder_seq = reminder_seq + 1, next_update_due = $3, updated_at = $4
       WHERE id = $1 AND reminder_seq = $2 AND status <> 'resolved' RETURNING *`,
      [id, seq, nextUpdateDue, now],
    );
  }

  acknowledge(id: string, by: string, now: Date) {
    return this.one(
      `UPDATE incidents SET acknowledged_by = $2, acknowledged_at = $3, updated_at = $3
       WHERE id = $1 AND acknowledged_by IS NULL AND status <> 'resolved' RETURNING *`,
      [id, by, now],
    );
  }

  escalate(id: string, level: number, now: Date) {
    return this.one(
      `UPDATE incidents SET escalation_level = $2, updated_at = $3
       WHERE id = $1 AND escalation_level < $2 AND acknowledged_by IS NULL AND status <> 'resolved' RETURNING *`,
      [id, level, now],
    );
  }

  tickPhase(id: string, phase: number, by: string, now: Date) {
    return this.one(
      `UPDATE incidents SET phases_done = phases_done || jsonb_build_object($2::text, jsonb_build_object('by', $3::text, 'at', $4::text)), updated_at = $5
       WHERE id = $1 AND NOT phases_done ? $2::text RETURNING *`,
      [id, String(phase), by, now.toISOString(), now],
    );
  }

  resolve(id: string, by: string, summary: string, now: Date) {
    return this.one(
      `UPDATE incidents SET status = 'resolved', summary = $3, resolved_by = $2, resolved_at = $4, updated_at = $4, next_update_due = NULL
       WHERE id = $1 AND status <> 'resolved' RETURNING *`,
      [id, by, summary, now],
    );
  }

  async addEvent(event: NewIncidentEvent): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO incident_events (incident_id, at, kind, actor, text, data, once_key) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (incident_id, once_key) DO NOTHING`,
      [
        event.incidentId,
        event.at,
        event.kind,
        event.actor,
        event.text,
        JSON.stringify(event.data ?? {}),
        event.onceKey ?? null,
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async recordedOnce(id: string, onceKeys: string[]): Promise<string[]> {
    // The (incident_id, once_key) index answers it without reading the timeline.
    const result = await this.pool.query<{ once_key: string }>(
      'SELECT once_key FROM incident_events WHERE incident_id = $1 AND once_key = ANY($2::text[])',
      [id, onceKeys],
    );
    return result.rows.map((row) => row.once_key);
  }

  async events(id: string): Promise<IncidentEvent[]> {
    const result = await this.pool.query(
      'SELECT at, kind, actor, text, data FROM incident_events WHERE incident_id = $1 ORDER BY at, id',
      [id],
    );
    return result.rows.map((row: Row) => ({
      at: row.at as Date,
      kind: row.kind as string,
      actor: row.actor as string,
      text: row.text as string,
      data: row.data as Record<string, unknown>,
    }));
  }

  /**
   * Serialises work on one incident across replicas. The advisory lock lives on a connection of its
   * own, outside the pool: a holder doing slow Slack work must never starve the queries it needs.
   * Waiting for the lock is bounded, so a black-holed database cannot hang the caller for good.
   */
  async exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    const client = await connectUnpooled(this.pool, this.logger, 'incident lock', { queryTimeoutMs: LOCK_WAIT_MS });
    const key = `eafix-incident:${id}`;
    try {
      // The server gives up waiting too: a client timing out alone would leave it queued for the lock.
      await client.query(`SET lock_timeout = ${LOCK_WAIT_MS}`);
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
      return await work();
    } finally {
      // Closing the session releases its advisory locks.
      await client.end().catch(() => undefined);
    }
  }

  /** Approvals and runs that mention the incident (incident-related-activity.ts). */
  relatedActivity(id: string): Promise<IncidentEvent[]> {
    return relatedActivity(this.pool, id);
  }
}
