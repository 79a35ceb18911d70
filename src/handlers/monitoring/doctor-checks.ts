import type { AccessCheck, AccessResult, DeploymentStatus } from '../../cluster/cluster.ts';
import type { DigestSpec } from '../../config/monitoring-policy.ts';
import type { KpiReading } from '../../monitoring/kpis.ts';
import { needsAttention } from './digest-sections.ts';
import type { ScheduleInfo } from './monitoring-deps.ts';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warning or failure. */
  advice?: string;
}

/** Every verb the bot's own cluster identity needs for the runbook actions (status, pods, logs, scale, restart, rollback). */
export const requiredAccess: readonly AccessCheck[] = [
  { verb: 'get', resource: 'deployments' },
  { verb: 'list', resource: 'deployments' },
  { verb: 'patch', resource: 'deployments' },
  { verb: 'patch', resource: 'deployments', subresource: 'scale' },
  { verb: 'get', resource: 'services' },
  { verb: 'patch', resource: 'services' },
  { verb: 'list', resource: 'pods' },
  { verb: 'get', resource: 'pods', subresource: 'log' },
  { verb: 'list', resource: 'events' },
  { verb: 'get', resource: 'endpoints' },
];

/** With kubernetes.impersonate in the policy, the bot must be allowed to impersonate the mapped identities. */
export const impersonationAccess: readonly AccessCheck[] = [
  { verb: 'impersonate', resource: 'users' },
  { verb: 'impersonate', resource: 'groups' },
];

const what = (c: AccessCheck) => `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''}`;

/** One row for all allowed verbs, one failing row (with the RBAC rule to add) per denied verb. */
export function permissionChecks(results: readonly AccessResult[], namespace: string): CheckResult[] {
  const denied = results.filter((r) => !r.allowed);
  const allowed = results.filter((r) => r.allowed);
  const rows: CheckResult[] = [];
  if (allowed.length) {
    rows.push({ name: 'Kubernetes permissions', status: denied.length ? 'warn' : 'pass', detail: `${allowed.length} of ${results.length} allowed: ${allowed.map(what).join(', ')}` });
  }
  for (const r of denied) {
    const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
    rows.push({
      name: `Kubernetes permission: ${what(r)}`,
      status: 'fail',
      detail: `denied in ${namespace} (${r.reason})`,
      advice: `Add to the bot's Role in ${namespace}: apiGroups ["${r.group ?? ''}"], resources ["${resource}"], verbs ["${r.verb}"] — then run \`/eafix doctor\` again.`,
    });
  }
  return rows;
}

export function healthCheck(deployments: readonly DeploymentStatus[], environment: string): CheckResult {
  const bad = deployments.filter(needsAttention);
  if (deployments.length === 0) {
    return { name: 'Deployment health', status: 'warn', detail: `no deployments found in ${environment}`, advice: 'Check the topology\'s namespace for this environment in the policy file.' };
  }
  if (bad.length === 0) return { name: 'Deployment health', status: 'pass', detail: `all ${deployments.length} deployments ready` };
  const down = bad.filter((d) => d.ready === 0 || d.progressDeadlineExceeded);
  const list = bad.map((d) => `${d.service ?? d.name} ${d.ready}/${d.desired}${d.progressDeadlineExceeded ? ' (rollout failed)' : ''}`).join(', ');
  return {
    name: 'Deployment health',
    status: down.length ? 'fail' : 'warn',
    detail: `${bad.length} of ${deployments.length} need attention: ${list}`,
    advice: `Look at \`/eafix pods ${bad[0]?.service ?? bad[0]?.name}\` and its \`/eafix logs\`; the runbook's Troubleshooting Guide covers crash loops and failed rollouts.`,
  };
}

export function prometheusChecks(configured: boolean, url: string | undefined, ready: { ok: true } | { ok: false; reason: string }, readings: readonly KpiReading[]): CheckResult[] {
  if (!configured) {
    return [{ name: 'Prometheus', status: 'warn', detail: 'not configured: digests show every KPI as unavailable', advice: 'Set PROMETHEUS_URL (or monitoring.prometheus.url in the policy file).' }];
  }
  if (!ready.ok) {
    return [{ name: 'Prometheus', status: 'fail', detail: ready.reason, advice: `Check that Prometheus at ${url} is up and reachable from the bot; until then digests post with the KPIs marked unavailable.` }];
  }
  const missing = readings.filter((k) => k.band === 'unavailable');
  if (missing.length === 0) return [{ name: 'Prometheus', status: 'pass', detail: `ready at ${url}; all ${readings.length} KPI queries answer` }];
  return [{
    name: 'Prometheus',
    status: 'warn',
    detail: `ready at ${url}, but ${missing.length} KPI quer${missing.length === 1 ? 'y does' : 'ies do'} not answer: ${missing.map((k) => `${k.label} (${k.reason ?? 'no value'})`).join(', ')}`,
    advice: 'Check those queries under monitoring.kpis in the policy file against your metric names.',
  }];
}

/** A tick this late has not been taken by any worker (BullMQ schedules the next one only when it starts the last). */
export const OVERDUE_AFTER_MS = 60_000;

export function scheduleChecks(digests: readonly DigestSpec[], schedules: readonly ScheduleInfo[], now: Date): CheckResult[] {
  const byId = new Map(schedules.map((s) => [s.id, s]));
  const rows: CheckResult[] = [];
  for (const digest of digests) {
    const name = `Digest schedule: ${digest.name}`;
    const found = byId.get(digest.name);
    if (!digest.enabled) {
      rows.push(found
        ? { name, status: 'warn', detail: 'disabled in the policy but still scheduled', advice: 'Restart a worker: it removes schedules the policy no longer runs.' }
        : { name, status: 'pass', detail: 'disabled in the policy' });
      continue;
    }
    if (!found) {
      rows.push({ name, status: 'fail', detail: `not scheduled (cron ${digest.cron} ${digest.timezone})`, advice: 'Start a worker (`eafix worker` or `eafix all`): workers sync the schedules at start-up.' });
      continue;
    }
    if (found.pattern !== digest.cron || (found.tz ?? 'UTC') !== digest.timezone) {
      rows.push({ name, status: 'warn', detail: `scheduled as ${found.pattern ?? `every ${found.every} ms`} ${found.tz ?? ''}, but the policy says ${digest.cron} ${digest.timezone}`, advice: 'Restart a worker to sync the schedules with the policy file.' });
      continue;
    }
    if (!found.next) {
      rows.push({ name, status: 'warn', detail: 'scheduled, but BullMQ reports no next run', advice: 'Restart a worker to re-create the schedule.' });
      continue;
    }
    if (found.next.getTime() < now.getTime() - OVERDUE_AFTER_MS) {
      rows.push({ name, status: 'warn', detail: `next run was due ${found.next.toISOString()} and has not happened`, advice: 'Is a worker running against this Redis and prefix? Start one, or check its logs.' });
      continue;
    }
    rows.push({ name, status: 'pass', detail: `${digest.cron} ${digest.timezone} → #${digest.channel}; next ${found.next.toISOString()}` });
  }
  const declared = new Set(digests.map((d) => d.name));
  for (const stray of schedules.filter((s) => !declared.has(s.id))) {
    rows.push({ name: `Digest schedule: ${stray.id}`, status: 'warn', detail: 'scheduled but not in the policy file', advice: 'Restart a worker: it removes schedules the policy no longer declares.' });
  }
  if (digests.length === 0 && schedules.length === 0) rows.push({ name: 'Digest schedules', status: 'pass', detail: 'no digests declared' });
  return rows;
}
