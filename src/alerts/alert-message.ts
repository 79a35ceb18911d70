import type { Block } from '../handlers/core/reply.ts';
import { context, section } from '../handlers/core/reply.ts';
import { mrkdwnEscape } from '../permissions/approval-message.ts';
import type { AlertGroup, GroupMessage, StoredAlert } from './alert-log.ts';
import { alertNameOf } from './alert-playbooks.ts';

/** A group shows this many alerts; the rest are counted (noisy groups fold into one message). */
const SHOWN_ALERTS = 10;
const HIDDEN_LABELS = new Set(['alertname', 'severity', 'incident_type']);

export interface AlertMessageOptions {
  /** The diagnosis button, when the alert has a playbook the bot serves. */
  diagnose?: { label: string } | undefined;
  /** Offer "Roll back the last deploy" (a deploy or rollback ran in the last hour). */
  offerRollback: boolean;
}

/** The outbox key of a group's message in one firing episode: later deliveries edit it. */
export const alertMessageKey = (group: Pick<AlertGroup, 'id' | 'episode'>) => `alert:${group.id}:${group.episode}`;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const safe = (text: string, max = 300) => mrkdwnEscape(clip(text, max));

function alertLine(alert: StoredAlert): string {
  const icon = alert.status === 'firing' ? ':red_circle:' : ':white_check_mark:';
  const summary = alert.annotations.summary ?? alert.labels.alertname ?? 'alert';
  const value = alert.annotations.value ? ` — value \`${safe(alert.annotations.value, 60)}\`` : '';
  const labels = Object.entries(alert.labels)
    .filter(([k]) => !HIDDEN_LABELS.has(k))
    .map(([k, v]) => `\`${safe(k, 40)}=${safe(v, 80)}\``)
    .join(' ');
  return `${icon} ${safe(summary)}${value}${labels ? `\n      ${labels}` : ''}`;
}

const button = (text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Block => ({
  type: 'button',
  text: { type: 'plain_text', text },
  action_id: actionId,
  value,
  ...(style ? { style } : {}),
});

/** One Slack message for a whole Alertmanager group: its alerts, runbook section, incident and buttons. */
export function renderAlertGroup(group: AlertGroup, options: AlertMessageOptions): GroupMessage {
  const name = alertNameOf(group);
  const firing = group.alerts.filter((a) => a.status === 'firing');
  const lead = firing[0] ?? group.alerts[0];
  const severity = lead?.labels.severity ?? 'unknown';
  const state = group.firing
    ? `:rotating_light: *FIRING* (${firing.length} of ${group.alerts.length})`
    : ':white_check_mark: *RESOLVED*';
  const title = `${state} \`${safe(name, 80)}\` — ${safe(severity, 20)}`;
  const ordered = [...firing, ...group.alerts.filter((a) => a.status !== 'firing')];
  const hidden = ordered.length - SHOWN_ALERTS + group.truncatedAlerts;
  const lines = ordered.slice(0, SHOWN_ALERTS).map(alertLine);
  if (hidden > 0) lines.push(`…and ${hidden} more alert(s) in this group`);
  const description = lead?.annotations.description ? `\n${safe(lead.annotations.description, 600)}` : '';
  const runbookSection = lead?.annotations.runbook_section;
  const runbookUrl = lead?.annotations.runbook_url;
  const runbook = runbookSection
    ? `*Runbook:* ${runbookUrl && /^https?:\/\/[^\s|<>]+$/.test(runbookUrl) ? `<${runbookUrl}|${safe(runbookSection, 120)}>` : safe(runbookSection, 120)}`
    : undefined;
  const incident = group.incidentId
    ? `:rotating_light: Incident *${group.incidentId}* opened for this alert.`
    : undefined;
  const blocks: Block[] = [
    section(`${title}${description}`.slice(0, 3000)),
    section(lines.join('\n').slice(0, 3000)),
    ...(runbook ? [section(runbook)] : []),
    ...(incident ? [section(incident)] : []),
  ];
  if (group.firing) {
    const buttons: Block[] = [];
    if (options.diagnose) buttons.push(button(`${options.diagnose.label}…`, 'alert:diagnose', group.id, 'primary'));
    if (options.offerRollback) buttons.push(button('Roll back the last deploy', 'alert:rollback', group.id, 'danger'));
    if (!group.incidentId) buttons.push(button('Open incident', 'alert:incident', group.id));
    if (buttons.length > 0) blocks.push({ type: 'actions', block_id: `alert:${group.id}`, elements: buttons });
  }
  blocks.push(context(`Alertmanager group \`${safe(group.groupKey, 200)}\` · receiver ${safe(group.receiver, 60)}`));
  const text = `${group.firing ? 'FIRING' : 'RESOLVED'}: ${name} (${severity})${lead?.annotations.summary ? ` — ${safe(lead.annotations.summary, 200)}` : ''}`;
  return { key: alertMessageKey(group), channel: group.channel, text, blocks };
}
