import type { DeploymentStatus } from '../../cluster/cluster.ts';
import type { RunCounts } from '../../jobs/run-stats.ts';
import type { RunRecord } from '../../jobs/run-record.ts';
import { formatAge, type BackupReading } from './kpi-readings.ts';
import { drStatusText } from '../disaster-recovery/dr-status.ts';
import type { ApprovalRequest } from '../../permissions/approval-types.ts';
import { deploymentLine } from '../deployment/status.ts';
import type { Incident } from '../incidents/incident-types.ts';
import type { DigestSnapshot, Part, PlatformSnapshot } from './digest-snapshot.ts';
import { bandIcon, kpiText } from './kpi-lines.ts';

/** Healthy deployments are listed one by one up to this many; beyond it they are counted. */
const LIST_HEALTHY_UP_TO = 25;
/** Unhealthy ones are always listed, up to this many (the rest counted). */
const LIST_UNHEALTHY_UP_TO = 60;
const LIST_ITEMS_UP_TO = 10;

export const slackDate = (date: Date) =>
  `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} {time}|${date.toISOString()}>`;

const unavailable = (title: string, part: { reason: string }) =>
  `*${title}* — :white_circle: unavailable: ${part.reason}`;

export function needsAttention(d: DeploymentStatus): boolean {
  return d.desired > 0 && (d.ready < d.desired || d.progressDeadlineExceeded);
}

export function healthText(part: Part<DeploymentStatus[]>): string {
  if (!part.ok) return unavailable('Service health', part);
  const all = part.value;
  const bad = all.filter(needsAttention);
  const good = all.filter((d) => !needsAttention(d));
  const ready = all.reduce((n, d) => n + d.ready, 0);
  const desired = all.reduce((n, d) => n + d.desired, 0);
  const restarts = all.reduce((n, d) => n + d.restarts, 0);
  const headline = `*Service health* — ${all.length - bad.length}/${all.length} deployments healthy, ${ready}/${desired} pods ready, ${restarts} restart(s)`;
  const lines = [headline, ...bad.slice(0, LIST_UNHEALTHY_UP_TO).map((d) => deploymentLine(d, false))];
  if (bad.length > LIST_UNHEALTHY_UP_TO)
    lines.push(`…and ${bad.length - LIST_UNHEALTHY_UP_TO} more needing attention (\`/eafix status\` lists them all)`);
  if (good.length <= LIST_HEALTHY_UP_TO) lines.push(...good.map((d) => deploymentLine(d, false)));
  else {
    const restarting = good.filter((d) => d.restarts > 0);
    lines.push(
      `${bandIcon.ok} ${good.length} healthy deployments${restarting.length ? `, ${restarting.length} with restarts` : ''} (\`/eafix status\` lists them)`,
    );
  }
  return lines.join('\n');
}

function lastChangeLine(run: RunRecord | undefined): string {
  if (!run) return 'no deploy or rollback recorded';
  const when = slackDate(run.finishedAt ?? run.createdAt);
  return `\`${run.action}\` by <@${run.requestedBy}> — ${run.status} ${when}`;
}

export function deploysText(part: Part<{ live: { colour: string }; last: RunRecord | undefined }>): string {
  if (!part.ok) return unavailable('Deployments', part);
  return `*Live colour:* ${part.value.live.colour}   *Last deploy or rollback:* ${lastChangeLine(part.value.last)}`;
}

export function platformText(part: Part<PlatformSnapshot>): string {
  if (!part.ok) return unavailable('Trading and maintenance', part);
  const { trading, maintenance } = part.value;
  const tradingIcon = trading === 'running' ? ':large_green_circle:' : ':octagonal_sign:';
  const maintenanceText = maintenance.enabled
    ? `:construction: on${maintenance.message ? ` ("${maintenance.message}")` : ''}`
    : 'off';
  return `*Trading:* ${tradingIcon} ${trading}   *Maintenance:* ${maintenanceText}`;
}

export function incidentsText(part: Part<Incident[]>): string {
  if (!part.ok) return unavailable('Open incidents', part);
  const open = part.value;
  if (open.length === 0) return '*Open incidents* — none :relieved:';
  const lines = open
    .slice(0, LIST_ITEMS_UP_TO)
    .map(
      (i) =>
        `• *${i.id}* ${i.severity} ${i.type} — ${i.title} — ${i.status}${i.channelId ? ` in <#${i.channelId}>` : ''}${i.acknowledgedBy ? '' : ' — :warning: unacknowledged'}`,
    );
  if (open.length > LIST_ITEMS_UP_TO) lines.push(`…and ${open.length - LIST_ITEMS_UP_TO} more (\`/eafix incidents\`)`);
  return [`*Open incidents* — ${open.length}`, ...lines].join('\n');
}

export function approvalsText(part: Part<ApprovalRequest[]>): string {
  if (!part.ok) return unavailable('Pending approvals', part);
  const pending = part.value;
  if (pending.length === 0) return '*Pending approvals* — none';
  const lines = pending
    .slice(0, LIST_ITEMS_UP_TO)
    .map(
      (r) =>
        `• \`/eafix ${r.action}\` requested by <@${r.requester}> — ${r.approvers.length}/${r.requiredApprovals} approval(s), expires ${slackDate(r.expiresAt)}`,
    );
  if (pending.length > LIST_ITEMS_UP_TO)
    lines.push(`…and ${pending.length - LIST_ITEMS_UP_TO} more (\`/eafix approvals\`)`);
  return [`*Pending approvals* — ${pending.length}`, ...lines].join('\n');
}

export function runsText(part: Part<RunCounts>): string {
  if (!part.ok) return unavailable('Runs in the last 24 hours', part);
  const c = part.value;
  const active = c.running + c.queued;
  return (
    `*Runs in the last 24 hours* — :white_check_mark: ${c.succeeded} succeeded   :x: ${c.failed} failed` +
    `${c.cancelled ? `   :no_entry_sign: ${c.cancelled} cancelled` : ''}${active ? `   :hourglass_flowing_sand: ${active} in progress` : ''}`
  );
}

export function backupsText(reading: BackupReading): string {
  const limits = `warning after ${formatAge(reading.warnAfterSeconds)}, critical after ${formatAge(reading.criticalAfterSeconds)}`;
  if (reading.band === 'unavailable' || reading.ageSeconds === undefined)
    return `*Backups* — ${bandIcon.unavailable} unavailable: ${reading.reason ?? 'no value'}`;
  return `*Backups* — ${bandIcon[reading.band]} newest backup is ${formatAge(reading.ageSeconds)} old (${limits})`;
}

/** The sections' texts in the policy's order; sections without data (not wired, not configured) are left out. */
export function sectionTexts(s: DigestSnapshot): string[] {
  const texts: string[] = [];
  for (const section of s.sections) {
    if (section === 'health' && s.health) texts.push(healthText(s.health));
    if (section === 'deploys' && s.deploys) texts.push(deploysText(s.deploys));
    if (section === 'platform' && s.platform) texts.push(platformText(s.platform));
    if (section === 'kpis' && s.kpis) texts.push(kpiText(s.kpis));
    if (section === 'incidents' && s.incidents) texts.push(incidentsText(s.incidents));
    if (section === 'approvals' && s.approvals) texts.push(approvalsText(s.approvals));
    if (section === 'runs' && s.runs) texts.push(runsText(s.runs));
    if (section === 'backups' && s.backups) texts.push(backupsText(s.backups));
    if (section === 'backups' && s.recovery)
      texts.push(s.recovery.ok ? drStatusText(s.recovery.value) : unavailable('Disaster recovery', s.recovery));
  }
  return texts;
}
