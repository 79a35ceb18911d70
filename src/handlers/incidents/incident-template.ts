import { context, header, section, type Block } from '../core/reply.ts';
import type { Incident } from './incident-types.ts';

const severityIcon: Record<Incident['severity'], string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':white_circle:',
};
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `30 minutes`, `1 hour`, `4 hours`, `2 days`; short test delays read as seconds. */
export function humanDuration(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${name}${ms / size === 1 ? '' : 's'}`;
  }
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} minutes`;
  return ms >= 1_000 ? `${(ms / 1_000).toFixed(1)} seconds` : `${ms} ms`;
}

/** A Slack date token: shown in each reader's time zone, with a UTC fallback. */
export function slackTime(at: Date): string {
  const fallback = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

export const typeLabel = (incident: Pick<Incident, 'type'>) =>
  incident.type === 'security' ? 'Security' : 'Operations';

export const mention = (ref: string) =>
  /^S[A-Z0-9]+$/.test(ref)
    ? `<!subteam^${ref}>`
    : /^[UW][A-Z0-9]+$/.test(ref)
      ? `<@${ref}>`
      : `@${ref.replace(/^@/, '')}`;

/** The runbook's subject line: `CRITICAL: Security Incident - <title>`. */
export function subject(incident: Incident): string {
  return `${incident.severity.toUpperCase()}: ${incident.type === 'security' ? 'Security Incident' : 'Incident'} - ${incident.title}`;
}

export interface TemplateContext {
  responseTeam: string[];
  /** The reminder interval, for "Next Update: In 30 minutes". */
  updateIntervalMs: number;
}

/** The runbook's Notification Template, as the fields it lists, in its order. */
export function templateFields(incident: Incident, ctx: TemplateContext): Array<[string, string]> {
  const due = incident.nextUpdateDue;
  return [
    ['Incident ID', incident.id],
    ['Severity', capital(incident.severity)],
    ['Type', typeLabel(incident)],
    ['Time', slackTime(incident.createdAt)],
    ['Affected Systems', incident.systems.length ? incident.systems.join(', ') : 'not yet known'],
    ['Current Status', capital(incident.status)],
    ['Response Team', ctx.responseTeam.length ? ctx.responseTeam.map(mention).join(', ') : 'none configured'],
    [
      'Next Update',
      incident.status === 'resolved'
        ? 'none (resolved)'
        : `In ${humanDuration(ctx.updateIntervalMs)}${due ? ` (by ${slackTime(due)})` : ''}`,
    ],
  ];
}

/** The pinned template message: the fields, the description, who leads, and the Acknowledge / commander buttons. */
export function templateMessage(incident: Incident, ctx: TemplateContext): { text: string; blocks: Block[] } {
  const fields = templateFields(incident, ctx);
  const text = `${subject(incident)}\n${fields.map(([k, v]) => `${k}: ${v}`).join('\n')}`;
  const blocks: Block[] = [
    header(`${severityIcon[incident.severity]} ${subject(incident)}`),
    { type: 'section', fields: fields.map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}:*\n${v}`.slice(0, 2000) })) },
  ];
  if (incident.description) blocks.push(section(`*Description:*\n${incident.description.slice(0, 2900)}`));
  const people = [
    `*Commander:* ${incident.commander ? `<@${incident.commander}>` : 'unassigned'}`,
    `*Acknowledged:* ${incident.acknowledgedBy ? `<@${incident.acknowledgedBy}>` : 'not yet'}`,
    `*Escalation level:* ${incident.escalationLevel}`,
  ].join(' · ');
  blocks.push(context(people));
  if (incident.status !== 'resolved') {
    const buttons: Block[] = [];
    if (!incident.acknowledgedBy) {
      buttons.push({
        type: 'button',
        action_id: 'incident:ack',
        text: { type: 'plain_text', text: 'Acknowledge' },
        style: 'primary',
        value: incident.id,
      });
    }
    buttons.push({
      type: 'button',
      action_id: 'incident:commander',
      text: { type: 'plain_text', text: "I'm commander" },
      value: incident.id,
    });
    blocks.push({ type: 'actions', block_id: 'incident', elements: buttons });
  }
  return { text, blocks };
}

/** Channel topic (250 characters max): severity, status, commander. */
export function topicText(incident: Incident): string {
  const commander = incident.commander ? `<@${incident.commander}>` : 'unassigned';
  return `${severityIcon[incident.severity]} ${incident.severity.toUpperCase()} | ${capital(incident.status)} | Commander: ${commander} | ${incident.id}`.slice(
    0,
    250,
  );
}

export function purposeText(incident: Incident): string {
  return `War room for ${incident.id} (${typeLabel(incident)}, ${incident.severity}): ${incident.title}`.slice(0, 250);
}

/** For the incidents channel: what happened and where to go. */
export function announcement(incident: Incident, templateLink?: string): { text: string; blocks: Block[] } {
  const where = incident.channelId ? `<#${incident.channelId}>` : 'the war room';
  const text = `:rotating_light: ${incident.id} declared by <@${incident.requestedBy}>: ${incident.title} (${incident.severity}, ${typeLabel(incident).toLowerCase()}). Join ${where}.`;
  return {
    text,
    blocks: [
      section(text),
      context(
        `${templateLink ? `<${templateLink}|Incident summary> · ` : ''}Systems: ${incident.systems.join(', ') || 'not yet known'}`,
      ),
    ],
  };
}
