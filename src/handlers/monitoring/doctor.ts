import { z } from 'zod';
import { isAppError } from '../../app-error.ts';
import { namespaceFor } from '../../cluster/cluster-targets.ts';
import { readKpis } from './kpi-readings.ts';
import { environmentInput } from '../core/cluster-inputs.ts';
import { defineAction } from '../core/define-action.ts';
import { context, header, sections } from '../core/reply.ts';
import type { AccessCheck, Cluster } from '../../cluster/cluster.ts';
import { accessKey } from '../../cluster/required-access.ts';
import {
  healthCheck,
  identityAccess,
  identityUnknown,
  impersonationAccess,
  permissionChecks,
  prometheusChecks,
  requiredAccessFor,
  scheduleChecks,
  drSiteCheck,
  type CheckResult,
  type CheckStatus,
  type MappedIdentity,
} from './doctor-checks.ts';
import { type Probe } from './monitoring-deps.ts';
import { slackChecks } from './slack-checks.ts';
import { toolboxIdentityCheck } from './toolbox-check.ts';

/** Each probe gets this long: doctor must answer even when something hangs. */
const PROBE_TIMEOUT_MS = 5_000;

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string; hints: string[] };

async function bounded<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
  });
  try {
    return { ok: true, value: await Promise.race([work(), timeout]) };
  } catch (error) {
    if (isAppError(error)) return { ok: false, reason: error.userMessage, hints: error.hints };
    const e = error as { message?: string; data?: { error?: string } };
    return { ok: false, reason: e.data?.error ?? e.message ?? String(error), hints: [] };
  } finally {
    clearTimeout(timer);
  }
}

async function probeCheck(name: string, probe: Probe, advice: string): Promise<CheckResult> {
  const result = await bounded(probe);
  return result.ok
    ? { name, status: 'pass', detail: result.value }
    : { name, status: 'fail', detail: result.reason, advice };
}

/**
 * The Kubernetes rights: the bot's own (with the right to impersonate each mapped identity, asked
 * cluster-wide) and, with impersonation on, each mapped identity's write rights asked AS that identity.
 */
async function kubernetesPermissionChecks(
  cluster: Cluster,
  environment: string,
  namespace: string,
  identities: readonly MappedIdentity[],
): Promise<CheckResult[]> {
  const own = requiredAccessFor(identities.length > 0);
  const usedBy = new Map(own.map((c) => [accessKey(c), c.usedBy]));
  const withUse = <T extends AccessCheck>(r: T) => ({ ...r, usedBy: usedBy.get(accessKey(r)) ?? [] });
  const review = await bounded(() => cluster.accessReview(environment, [...own, ...impersonationAccess(identities)]));
  if (!review.ok) {
    return [
      {
        name: 'Kubernetes permissions',
        status: 'fail',
        detail: `could not ask the cluster (SelfSubjectAccessReview): ${review.reason}`,
        advice:
          'Fix the cluster connection first; the bot also needs "create selfsubjectaccessreviews" (every authenticated user has it by default).',
      },
    ];
  }
  const rows = permissionChecks(review.value.map(withUse), namespace);
  const writes = identityAccess();
  const writeUse = new Map(writes.map((c) => [accessKey(c), c.usedBy]));
  const perIdentity = await Promise.all(
    identities.map(async (identity) => {
      const answer = await bounded(() => cluster.accessReview(environment, writes, { as: identity }));
      if (!answer.ok) return [identityUnknown(identity, answer.reason)];
      const results = answer.value.map((r) => ({ ...r, usedBy: writeUse.get(accessKey(r)) ?? [] }));
      return permissionChecks(results, namespace, { kind: 'identity', user: identity.user, groups: identity.groups });
    }),
  );
  return [...rows, ...perIdentity.flat()];
}

/** Every other cluster the bot acts in (a DR site): reachable, or what is wrong, so a failover is not the first try. */
function otherClusterChecks(
  cluster: Cluster,
  others: ReadonlyArray<{ environment: string; name: string }>,
): Promise<CheckResult[]> {
  return Promise.all(
    others.map(async ({ environment, name }) => {
      const answer = await bounded(() => cluster.status(environment, { fresh: true }));
      return answer.ok
        ? {
            name: `Kubernetes API (${name})`,
            status: 'pass' as const,
            detail: `reachable; ${answer.value.length} deployments for ${environment}`,
          }
        : {
            name: `Kubernetes API (${name})`,
            status: 'fail' as const,
            detail: answer.reason,
            advice: `The ${environment} environment lives there (policy kubernetes.sites): check that context in the bot's kubeconfig and that its API server is reachable.`,
          };
    }),
  );
}

/** The distinct mapped identities (several roles may map to the same one). */
function mappedIdentities(mapping: Record<string, MappedIdentity> | undefined): MappedIdentity[] {
  const seen = new Map<string, MappedIdentity>();
  for (const identity of Object.values(mapping ?? {}))
    seen.set(`${identity.user}|${[...identity.groups].sort().join(',')}`, identity);
  return [...seen.values()];
}

const icons: Record<CheckStatus, string> = { pass: ':white_check_mark:', warn: ':warning:', fail: ':x:' };

export function doctorReport(environment: string, checks: readonly CheckResult[]) {
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  const summary = `${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail`;
  const lines = checks.map(
    (c) => `${icons[c.status]} *${c.name}* — ${c.detail}${c.advice ? `\n        ↳ ${c.advice}` : ''}`,
  );
  return {
    text: `EAFIX doctor (${environment}): ${summary}`,
    blocks: [header(`EAFIX doctor — ${environment}`), ...sections(lines.join('\n')).slice(0, 45), context(summary)],
  };
}

export const doctor = defineAction({
  id: 'doctor',
  kind: 'query',
  chapter: 'Monitoring',
  summary:
    "The bot's own checks: Slack, PostgreSQL, Redis, its cluster rights and the platform Jobs' identity, health, Prometheus, schedules (the platform's `eafix-cli doctor` runs in `deploy`'s pre-flight and the weekly window)",
  input: z.object({ environment: environmentInput }),
  risk: 'read',
  permission: 'monitoring.read',
  examples: ['doctor', 'doctor --environment=staging'],
  run: async ({ environment }, { deps }) => {
    const monitoring = deps.monitoring;
    const namespace = namespaceFor(deps.topology, environment);
    const identities = mappedIdentities(deps.impersonation);
    const installation = slackChecks(deps.slackInstallation);
    const [slack, postgres, redis, status, review, ready, readings, schedules] = await Promise.all([
      probeCheck(
        'Slack',
        monitoring.probes.slack,
        'Check SLACK_BOT_TOKEN (a bot token of this workspace) and that Slack is reachable from the bot.',
      ),
      probeCheck(
        'PostgreSQL',
        monitoring.probes.postgres,
        'Check DATABASE_URL and that PostgreSQL is up; without it nothing is audited, so changes are refused.',
      ),
      probeCheck(
        'Redis',
        monitoring.probes.redis,
        'Check REDIS_URL and that Redis is up; runs, timers and digests wait for it.',
      ),
      bounded(() => deps.cluster.status(environment, { fresh: true })),
      kubernetesPermissionChecks(deps.cluster, environment, namespace, identities),
      monitoring.prometheus ? bounded(() => monitoring.prometheus!.ready()) : Promise.resolve(undefined),
      monitoring.prometheus
        ? readKpis(monitoring.prometheus, monitoring.kpis, { environment, namespace })
        : Promise.resolve([]),
      bounded(() => monitoring.publisher.schedules()),
    ]);
    const otherClusters = await otherClusterChecks(deps.cluster, deps.sites.otherClusters(environment));
    const checks: CheckResult[] = [slack, ...(await installation), postgres, redis];
    if (status.ok) {
      checks.push({
        name: 'Kubernetes API',
        status: 'pass',
        detail: `reachable; ${status.value.length} deployments in ${namespace}${deps.sites.line(environment) ? ` (${deps.sites.nameOf(environment)})` : ''}`,
      });
    } else {
      checks.push({
        name: 'Kubernetes API',
        status: 'fail',
        detail: status.reason,
        advice:
          status.hints.join(' ') ||
          'Check KUBECONFIG (or the in-cluster service account) and that the API server is reachable from the bot.',
      });
    }
    checks.push(...otherClusters, ...review);
    checks.push(toolboxIdentityCheck(deps.platformCli, deps.maintenance.policy, deps.topology, namespace));
    if (status.ok) checks.push(healthCheck(status.value, environment));
    checks.push(drSiteCheck(deps.dr.policy.site));
    const readiness =
      ready === undefined || ready.ok ? ({ ok: true } as const) : { ok: false as const, reason: ready.reason };
    checks.push(...prometheusChecks(Boolean(monitoring.prometheus), monitoring.prometheus?.url, readiness, readings));
    if (schedules.ok) checks.push(...scheduleChecks(monitoring.digests, schedules.value, deps.now()));
    else
      checks.push({
        name: 'Digest schedules',
        status: 'fail',
        detail: `could not read them from Redis: ${schedules.reason}`,
        advice: 'Check REDIS_URL.',
      });
    return doctorReport(environment, checks);
  },
});
