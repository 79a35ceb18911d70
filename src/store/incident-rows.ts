/** The `incidents` rows as PostgreSQL returns them, as Incidents; and the incident id format. */
import type { Incident, IncidentStatus } from '../handlers/incidents/incident-types.ts';

export type Row = Record<string, unknown>;

const optional = <T>(value: unknown): T | undefined =>
  value === null || value === undefined ? undefined : (value as T);

export function fromRow(row: Row): Incident {
  return {
    id: row.id as string,
    requestId: row.request_id as string,
    title: row.title as string,
    description: row.description as string,
    severity: row.severity as Incident['severity'],
    type: row.type as Incident['type'],
    systems: row.systems as string[],
    status: row.status as IncidentStatus,
    requestedBy: row.requested_by as string,
    teamId: row.team_id as string,
    originChannel: optional(row.origin_channel),
    commander: optional(row.commander),
    channelName: optional(row.channel_name),
    channelId: optional(row.channel_id),
    templateTs: optional(row.template_ts),
    checklistTs: optional(row.checklist_ts),
    setup: row.setup as Incident['setup'],
    phasesDone: row.phases_done as Incident['phasesDone'],
    escalationLevel: row.escalation_level as number,
    acknowledgedBy: optional(row.acknowledged_by),
    acknowledgedAt: optional(row.acknowledged_at),
    reminderSeq: row.reminder_seq as number,
    nextUpdateDue: optional(row.next_update_due),
    summary: optional(row.summary),
    resolvedBy: optional(row.resolved_by),
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
    resolvedAt: optional(row.resolved_at),
  };
}

/** `INC-20261123-003`: the UTC day and a per-day sequence. */
export function formatIncidentId(day: Date, seq: number): string {
  const ymd = day.toISOString().slice(0, 10).replaceAll('-', '');
  return `INC-${ymd}-${String(seq).padStart(3, '0')}`;
}
