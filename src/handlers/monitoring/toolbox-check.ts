/**
 * Doctor's row about the identity platform Jobs run as (policy `platform.cli.serviceAccount`). The bot
 * cannot ask the cluster as that account (it may not impersonate it, by design), so the row says which
 * account it is, what the maintenance windows need of it here, and how an operator checks that.
 */
import { toolboxAccess, type ToolboxCheck } from '../../cluster/toolbox-access.ts';
import type { MaintenancePolicy } from '../../config/maintenance-policy.ts';
import type { PlatformCliPolicy } from '../../config/platform-policy.ts';
import type { Topology } from '../../config/topology.ts';
import type { CheckResult } from './doctor-checks.ts';

const NAME = "Platform Jobs' service account";

const kind = (c: ToolboxCheck) =>
  `${c.resource}${c.subresource ? `/${c.subresource}` : ''}${c.group ? `.${c.group}` : ''}`;

/** `get,patch deployments.apps; update certificates/status.cert-manager.io`: verbs grouped by kind. */
function describeNeeds(checks: readonly ToolboxCheck[]): string {
  const byKind = new Map<string, string[]>();
  for (const c of checks) byKind.set(kind(c), [...(byKind.get(kind(c)) ?? []), c.verb]);
  return [...byKind].map(([k, verbs]) => `${verbs.join(',')} ${k}`).join('; ');
}

export function toolboxIdentityCheck(
  cli: Pick<PlatformCliPolicy, 'serviceAccount'>,
  maintenance: MaintenancePolicy,
  topology: Topology,
  namespace: string,
): CheckResult {
  const needs = toolboxAccess(topology, maintenance).get(namespace) ?? [];
  const what = needs.length
    ? `the maintenance windows' Jobs here need ${describeNeeds(needs)}`
    : 'no maintenance window here needs Kubernetes rights of it';
  if (!cli.serviceAccount)
    return {
      name: NAME,
      status: 'warn',
      detail: `platform.cli.serviceAccount is unset: platform Jobs in ${namespace} (eafix-cli, maintenance manifests, cmctl renew) run as the namespace's default service account, which may lack the rights; ${what}`,
      advice:
        'Set platform.cli.serviceAccount (e.g. eafix-toolbox) in the policy, run `npm run rbac:generate` and deploy rbac/toolbox.yaml (it creates the account and its Role).',
    };
  const user = `system:serviceaccount:${namespace}:${cli.serviceAccount}`;
  return {
    name: NAME,
    status: 'pass',
    detail: `platform Jobs in ${namespace} run as ${user}; ${what}. The bot cannot ask as it: check with \`kubectl auth can-i --list -n ${namespace} --as=${user}\``,
  };
}
