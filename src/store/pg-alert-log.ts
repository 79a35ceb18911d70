import {
  alertGroupId,
  type AlertGroup,
  type AlertLog,
  type GroupMessage,
  type RecordedDelivery,
  type StoredAlert,
} from '../alerts/alert-log.ts';
import type { AlertmanagerPayload } from '../alerts/alertmanager-payload.ts';
import { inTransaction, type Pool } from './database.ts';
import type { SlackOutbox } from '../slack/slack-outbox.ts';

/** A pool or a client inside a transaction. */
type Queryable = Pick<Pool, 'query'>;

interface GroupRow {
  id: string;
  group_key: string;
  receiver: string;
  group_labels: Record<string, string>;
  external_url: string;
  channel: string;
  truncated_alerts: number;
  episode: number;
  firing: boolean;
  incident_id: string | null;
}

interface InstanceRow {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: Date;
  ends_at: Date | null;
  generator_url: string;
}

/** Alertmanager's "no end known" (Go's zero time) is no end. */
const endOf = (endsAt: string | undefined) => (endsAt && !endsAt.startsWith('0001-') ? endsAt : null);

/** Alert deliveries in PostgreSQL (migration 010), with the group's Slack message queued in the same transaction. */
export class PgAlertLog implements AlertLog {
  constructor(
    private readonly pool: Pool,
    private readonly outbox: SlackOutbox,
  ) {}

  async record(
    payload: AlertmanagerPayload,
    channel: string,
    render: (group: AlertGroup) => GroupMessage,
  ): Promise<RecordedDelivery> {
    const id = alertGroupId(payload.groupKey);
    return inTransaction(this.pool, async (db) => {
      // No conflict target: the id is derived from the group key, and with only `(id)` as arbiter two
      // replicas inserting a new group at the same instant can meet on the group key's index instead and
      // fail (a 500 to Alertmanager, seen under load); either conflict means the group is there.
      await db.query(
        `INSERT INTO alert_groups (id, group_key, receiver, group_labels, external_url, channel)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [id, payload.groupKey, payload.receiver, payload.groupLabels, payload.externalURL, channel],
      );
      // One delivery of a group at a time, whichever replica has it.
      const before = (await db.query<GroupRow>('SELECT * FROM alert_groups WHERE id = $1 FOR UPDATE', [id])).rows[0]!;
      let news = 0;
      for (const alert of payload.alerts) {
        const inserted = await db.query(
          `INSERT INTO alert_deliveries (group_key, fingerprint, status, starts_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [payload.groupKey, alert.fingerprint, alert.status, alert.startsAt],
        );
        if (inserted.rowCount !== 1) continue;
        news += 1;
        // Latest wins, except that a late copy of a firing notice never reopens an alert that resolved.
        await db.query(
          `INSERT INTO alert_instances (group_id, fingerprint, status, labels, annotations, starts_at, ends_at, generator_url)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (group_id, fingerprint) DO UPDATE SET status = EXCLUDED.status, labels = EXCLUDED.labels,
             annotations = EXCLUDED.annotations, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
             generator_url = EXCLUDED.generator_url, updated_at = clock_timestamp()
           WHERE EXCLUDED.starts_at > alert_instances.starts_at
              OR (EXCLUDED.starts_at = alert_instances.starts_at AND alert_instances.status = 'firing')`,
          [
            id,
            alert.fingerprint,
            alert.status,
            alert.labels,
            alert.annotations,
            alert.startsAt,
            endOf(alert.endsAt),
            alert.generatorURL,
          ],
        );
      }
      if (news === 0) return { group: await this.load(db, before), news };
      const firing = (
        await db.query<{ firing: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM alert_instances WHERE group_id = $1 AND status = 'firing') AS firing`,
          [id],
        )
      ).rows[0]!.firing;
      const row = (
        await db.query<GroupRow>(
          `UPDATE alert_groups SET firing = $2, receiver = $3, group_labels = $4, external_url = $5,
             truncated_alerts = $6, updated_at = clock_timestamp(),
             episode = CASE WHEN $2 AND NOT firing THEN episode + 1 ELSE episode END,
             incident_id = CASE WHEN $2 AND NOT firing THEN NULL ELSE incident_id END
           WHERE id = $1 RETURNING *`,
          [id, firing, payload.receiver, payload.groupLabels, payload.externalURL, payload.truncatedAlerts],
        )
      ).rows[0]!;
      const group = await this.load(db, row);
      await this.queue(db, render(group));
      return { group, news };
    });
  }

  async attachIncident(
    groupId: string,
    episode: number,
    incidentId: string,
    render: (group: AlertGroup) => GroupMessage,
  ): Promise<AlertGroup | undefined> {
    return inTransaction(this.pool, async (db) => {
      const row = (
        await db.query<GroupRow>(
          `UPDATE alert_groups SET incident_id = coalesce(incident_id, $3), updated_at = clock_timestamp()
           WHERE id = $1 AND episode = $2 RETURNING *`,
          [groupId, episode, incidentId],
        )
      ).rows[0];
      if (!row) return undefined;
      const group = await this.load(db, row);
      await this.queue(db, render(group));
      return group;
    });
  }

  async get(groupId: string): Promise<AlertGroup | undefined> {
    const row = (await this.pool.query<GroupRow>('SELECT * FROM alert_groups WHERE id = $1', [groupId])).rows[0];
    return row ? this.load(this.pool, row) : undefined;
  }

  private async queue(db: Queryable, message: GroupMessage): Promise<void> {
    await this.outbox.putMessage(
      { key: message.key, channel: message.channel, text: message.text, blocks: message.blocks },
      db,
    );
  }

  private async load(db: Queryable, row: GroupRow): Promise<AlertGroup> {
    const alerts = (
      await db.query<InstanceRow>('SELECT * FROM alert_instances WHERE group_id = $1 ORDER BY starts_at, fingerprint', [
        row.id,
      ])
    ).rows.map((r): StoredAlert => ({
      fingerprint: r.fingerprint,
      status: r.status,
      labels: r.labels,
      annotations: r.annotations,
      startsAt: r.starts_at,
      endsAt: r.ends_at ?? undefined,
      generatorUrl: r.generator_url,
    }));
    return {
      id: row.id,
      groupKey: row.group_key,
      receiver: row.receiver,
      channel: row.channel,
      episode: row.episode,
      firing: row.firing,
      groupLabels: row.group_labels,
      externalUrl: row.external_url,
      truncatedAlerts: row.truncated_alerts,
      incidentId: row.incident_id ?? undefined,
      alerts,
    };
  }
}
