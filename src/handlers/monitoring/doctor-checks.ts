import type { AccessCheck, AccessResult, DeploymentStatus } from '../../cluster/cluster.ts';
import { PLACEHOLDER_HOSTED_ZONE } from '../../config/dr-policy.ts';
import { accessFor, accessKey, CLUSTER_ACCESS, type ClusterOperation } from '../../cluster/required-access.ts';
import type { DigestSpec } from '../../config/monitoring-policy.ts';
import type { KpiReading } from './kpi-readings.ts';
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

/** DR scenario 2's DNS failover: the runbook's example hosted zone is the default, and it is not anyone's. */
export function drSiteCheck(site: { environment: string; hostedZoneId: string }): CheckResult {
  const name = 'DR site failover';
  if (site.hostedZoneId === PLACEHOLDER_HOSTED_ZONE)
    return {
      name,
      status: 'warn',
      detail: `\`dr activate-site\` would update Route 53 zone ${PLACEHOLDER_HOSTED_ZONE}, the runbook's example, not yours`,
      advice:
        'Set disasterRecovery.site.hostedZoneId (and changeBatch) in the policy before a data centre outage needs it.',
    };
  return {
    name,
    status: 'pass',
    detail: `\`dr activate-site\` fails over to ${site.environment} through Route 53 zone ${site.hostedZoneId}`,
  };
}

/** The runbook's cluster work, by Cluster operation: doctor checks every right these use. */
const OPERATIONS = Object.keys(CLUSTER_ACCESS) as ClusterOperation[];

/** What the bot's own account needs: every read, and the writes too unless they are impersonated. */
export function requiredAccessFor(impersonating: boolean): (AccessCheck & { usedBy: ClusterOperation[] })[] {
  const { reads, writes } = accessFor(OPERATIONS);
  return impersonating ? reads : [...reads, ...writes];
}

/** Every right the bot's own cluster identity needs without impersonation. */
export const requiredAccess: readonly AccessCheck[] = requiredAccessFor(false);

/** What each mapped identity needs: the writes, which are sent as that identity. */
export function identityAccess(): (AccessCheck & { usedBy: ClusterOperation[] })[] {
  return accessFor(OPERATIONS).writes;
}

export interface MappedIdentity {
  user: string;
  groups: string[];
}

/** The bot must be allowed to impersonate each mapped user and group; Kubernetes checks this cluster-wide. */
export function impersonationAccess(identities: readonly MappedIdentity[]): AccessCheck[] {
  const users = [...new Set(identities.map((i) => i.user))];
  const groups = [...new Set(identities.flatMap((i) => i.groups))];
  const sa = (u: string) => /^system:serviceaccount:([^:]+):([^:]+)$/.exec(u);
  return [
    ...users.map((u): AccessCheck => {
      const m = sa(u);
      return m
        ? { verb: 'impersonate', resource: 'serviceaccounts', name: m[2], namespace: m[1], group: '' }
        : { verb: 'impersonate', resource: 'users', name: u, group: '', clusterWide: true };
    }),
    ...groups.map((g): AccessCheck => ({
      verb: 'impersonate',
      resource: 'groups',
      name: g,
      group: '',
      clusterWide: true,
    })),
  ];
}

const what = (c: AccessCheck) => `${accessKey(c)}${c.name ? ` ${c.name}` : ''}`;

/** Who a permission row is about: the bot's own account, or a mapped identity the bot writes as. */
export type Subject = { kind: 'bot' } | { kind: 'identity'; user: string; groups: string[] };

function subjectName(subject: Subject): string {
  return subject.kind === 'bot' ? 'the bot' : `${subject.user} (mapped identity)`;
}

function ruleAdvice(r: AccessResult, namespace: string, subject: Subject): string {
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const names = r.name ? `, resourceNames ["${r.name}"]` : '';
  const rule = `apiGroups ["${r.group ?? ''}"], resources ["${resource}"]${names}, verbs ["${r.verb}"]`;
  const again = ' — then run `/eafix doctor` again.';
  if (r.clusterWide) return `Add to the bot's ClusterRole (bound with a ClusterRoleBinding): ${rule}${again}`;
  if (subject.kind === 'bot') return `Add to the bot's Role in ${r.namespace ?? namespace}: ${rule}${again}`;
  const bound = [`User ${subject.user}`, ...subject.groups.map((g) => `Group ${g}`)].join(' or ');
  return `Add to a Role in ${namespace} bound to ${bound}: ${rule}${again}`;
}

/** One row for all allowed verbs, one failing row (with the RBAC rule to add) per denied verb. */
export function permissionChecks(
  results: readonly (AccessResult & { usedBy?: readonly string[] })[],
  namespace: string,
  subject: Subject = { kind: 'bot' },
): CheckResult[] {
  const denied = results.filter((r) => !r.allowed);
  const allowed = results.filter((r) => r.allowed);
  const rows: CheckResult[] = [];
  const suffix = subject.kind === 'bot' ? '' : ` of ${subject.user}`;
  if (allowed.length) {
    rows.push({
      name: `Kubernetes permissions${suffix}`,
      status: denied.length ? 'warn' : 'pass',
      detail: `${allowed.length} of ${results.length} allowed: ${allowed.map(what).join(', ')}`,
    });
  }
  for (const r of denied) {
    const scope = r.clusterWide ? 'cluster-wide' : `in ${r.namespace ?? namespace}`;
    const needed = r.usedBy?.length ? `; needed by ${r.usedBy.join(', ')}` : '';
    rows.push({
      name: `Kubernetes permission${suffix}: ${what(r)}`,
      status: 'fail',
      detail: `denied to ${subjectName(subject)} ${scope} (${r.reason})${needed}`,
      advice: ruleAdvice(r, namespace, subject),
    });
  }
  return rows;
}

/** When the bot cannot even ask as a mapped identity (it may not impersonate it), say whose rights are unknown. */
export function identityUnknown(identity: MappedIdentity, reason: string): CheckResult {
  return {
    name: `Kubernetes permissions of ${identity.user}`,
    status: 'fail',
    detail: `could not ask as ${identity.user}: ${reason}`,
    advice: 'Let the bot impersonate this identity first (see the impersonate rows), then run `/eafix doctor` again.',
  };
}

export function healthCheck(deployments: readonly DeploymentStatus[], environment: string): CheckResult {
  const bad = deployments.filter(needsAttention);
  if (deployments.length === 0) {
    return {
      name: 'Deployment health',
      status: 'warn',
      detail: `no deployments found in ${environment}`,
      advice: "Check the topology's namespace for this environment in the policy file.",
    };
  }
  if (bad.length === 0)
    return { name: 'Deployment health', status: 'pass', detail: `all ${deployments.length} deployments ready` };
  const down = bad.filter((d) => d.ready === 0 || d.progressDeadlineExceeded);
  const list = bad
    .map(
      (d) => `${d.service ?? d.name} ${d.ready}/${d.desired}${d.progressDeadlineExceeded ? ' (rollout failed)' : ''}`,
    )
    .join(', ');
  return {
    name: 'Deployment health',
    status: down.length ? 'fail' : 'warn',
    detail: `${bad.length} of ${deployments.length} need attention: ${list}`,
    advice: `Look at \`/eafix pods ${bad[0]?.service ?? bad[0]?.name}\` and its \`/eafix logs\`; the runbook's Troubleshooting Guide covers crash loops and failed rollouts.`,
  };
}

export function prometheusChecks(
  configured: boolean,
  url: string | undefined,
  ready: { ok: true } | { ok: false; reason: string },
  readings: readonly KpiReading[],
): CheckResult[] {
  if (!configured) {
    return [
      {
        name: 'Prometheus',
        status: 'warn',
        detail: 'not configured: digests show every KPI as unavailable',
        advice: 'Set PROMETHEUS_URL (or monitoring.prometheus.url in the policy file).',
      },
    ];
  }
  if (!ready.ok) {
    return [
      {
        name: 'Prometheus',
        status: 'fail',
        detail: ready.reason,
        advice: `Check that Prometheus at ${url} is up and reachable from the bot; until then digests post with the KPIs marked unavailable.`,
      },
    ];
  }
  const missing = readings.filter((k) => k.band === 'unavailable');
  if (missing.length === 0)
    return [
      { name: 'Prometheus', status: 'pass', detail: `ready at ${url}; all ${readings.length} KPI queries answer` },
    ];
  return [
    {
      name: 'Prometheus',
      status: 'warn',
      detail: `ready at ${url}, but ${missing.length} KPI quer${missing.length === 1 ? 'y does' : 'ies do'} not answer: ${missing.map((k) => `${k.label} (${k.reason ?? 'no value'})`).join(', ')}`,
      advice: 'Check those queries under monitoring.kpis in the policy file against your metric names.',
    },
  ];
}

/** A tick this late has not been taken by any worker (BullMQ schedules the next one only when it starts the last). */
export const OVERDUE_AFTER_MS = 60_000;

export function scheduleChecks(
  digests: readonly DigestSpec[],
  schedules: readonly ScheduleInfo[],
  now: Date,
): CheckResult[] {
  const byId = new Map(schedules.map((s) => [s.id, s]));
  const rows: CheckResult[] = [];
  for (const digest of digests) {
    const name = `Digest schedule: ${digest.name}`;
    const found = byId.get(digest.name);
    if (!digest.enabled) {
      rows.push(
        found
          ? {
              name,
              status: 'warn',
              detail: 'disabled in the policy but still scheduled',
              advice: 'Restart a worker: it removes schedules the policy no longer runs.',
            }
          : { name, status: 'pass', detail: 'disabled in the policy' },
      );
      continue;
    }
    if (!found) {
      rows.push({
        name,
        status: 'fail',
        detail: `not scheduled (cron ${digest.cron} ${digest.timezone})`,
        advice: 'Start a worker (`eafix worker` or `eafix all`): workers sync the schedules at start-up.',
      });
      continue;
    }
    if (found.pattern !== digest.cron || (found.tz ?? 'UTC') !== digest.timezone) {
      rows.push({
        name,
        status: 'warn',
        detail: `scheduled as ${found.pattern ?? `every ${found.every} ms`} ${found.tz ?? ''}, but the policy says ${digest.cron} ${digest.timezone}`,
        advice: 'Restart a worker to sync the schedules with the policy file.',
      });
      continue;
    }
    if (!found.next) {
      rows.push({
        name,
        status: 'warn',
        detail: 'scheduled, but BullMQ reports no next run',
        advice: 'Restart a worker to re-create the schedule.',
      });
      continue;
    }
    if (found.next.getTime() < now.getTime() - OVERDUE_AFTER_MS) {
      rows.push({
        name,
        status: 'warn',
        detail: `next run was due ${found.next.toISOString()} and has not happened`,
        advice: 'Is a worker running against this Redis and prefix? Start one, or check its logs.',
      });
      continue;
    }
    rows.push({
      name,
      status: 'pass',
      detail: `${digest.cron} ${digest.timezone} → #${digest.channel}; next ${found.next.toISOString()}`,
    });
  }
  const declared = new Set(digests.map((d) => d.name));
  for (const stray of schedules.filter((s) => !declared.has(s.id))) {
    rows.push({
      name: `Digest schedule: ${stray.id}`,
      status: 'warn',
      detail: 'scheduled but not in the policy file',
      advice: 'Restart a worker: it removes schedules the policy no longer declares.',
    });
  }
  if (digests.length === 0 && schedules.length === 0)
    rows.push({ name: 'Digest schedules', status: 'pass', detail: 'no digests declared' });
  return rows;
}
