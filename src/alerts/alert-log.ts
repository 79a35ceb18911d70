import { createHash } from 'node:crypto';
import type { AlertmanagerPayload } from './alertmanager-payload.ts';

/** One alert of a group as last reported (by fingerprint). */
export interface StoredAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  endsAt?: Date | undefined;
  generatorUrl: string;
}

/**
 * An Alertmanager group as the bot keeps it: one Slack message per firing episode (a group that fires
 * again after all its alerts resolved starts a new episode, and a new message), every alert folded in.
 */
export interface AlertGroup {
  /** Short stable id derived from the groupKey: names the Slack message and the buttons' values. */
  id: string;
  groupKey: string;
  receiver: string;
  channel: string;
  episode: number;
  firing: boolean;
  groupLabels: Record<string, string>;
  externalUrl: string;
  /** Alerts Alertmanager left out of its deliveries (max_alerts). */
  truncatedAlerts: number;
  /** The incident this episode opened (critical alerts, policy `alerts.openIncident`). */
  incidentId?: string | undefined;
  alerts: StoredAlert[];
}

/** What a delivery changed. */
export interface RecordedDelivery {
  group: AlertGroup;
  /** Alerts (by group, fingerprint, status and start) not seen before; 0 for a redelivery. */
  news: number;
}

/** The group's Slack message, rendered inside the transaction that recorded the delivery. */
export interface GroupMessage {
  key: string;
  channel: string;
  text: string;
  blocks: unknown[];
}

/** PostgreSQL's record of alert deliveries (PgAlertLog), shared by every web replica. */
export interface AlertLog {
  /**
   * Records a delivery and, when it brought news, queues the group's message (same transaction):
   * concurrent and repeated deliveries of the same alerts post nothing new.
   */
  record(
    payload: AlertmanagerPayload,
    channel: string,
    render: (group: AlertGroup) => GroupMessage,
  ): Promise<RecordedDelivery>;
  /** Sets the episode's incident (first writer wins) and re-queues the message; the group as it now is. */
  attachIncident(
    groupId: string,
    episode: number,
    incidentId: string,
    render: (group: AlertGroup) => GroupMessage,
  ): Promise<AlertGroup | undefined>;
  get(groupId: string): Promise<AlertGroup | undefined>;
}

/** A group's id: short, stable and safe in a button value or outbox key, whatever its groupKey holds. */
export const alertGroupId = (groupKey: string) => createHash('sha256').update(groupKey).digest('hex').slice(0, 24);
