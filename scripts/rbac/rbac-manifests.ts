/**
 * The cluster RBAC the bot needs, derived from the rights table `doctor` checks
 * (src/cluster/required-access.ts) and the policy: its environments (namespaces) and the Kubernetes
 * identities it impersonates per role. Nothing here is hand-written: change the table or the policy,
 * run `npm run rbac:generate`, and the manifests follow.
 */
import { API_GROUPS, accessFor, type ClusterOperation, CLUSTER_ACCESS } from '../../src/cluster/required-access.ts';
import type { AccessCheck } from '../../src/cluster/cluster.ts';
import type { Policy } from '../../src/config/policy.ts';
import { matches } from '../../src/config/rbac-policy.ts';
import type { AnyAction } from '../../src/handlers/core/define-action.ts';
import { impersonationAccess, type MappedIdentity } from '../../src/handlers/monitoring/doctor-checks.ts';

export interface BotAccount {
  /** Namespace the bot runs in (its ServiceAccount's). */
  namespace: string;
  serviceAccount: string;
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface Subject {
  kind: 'ServiceAccount' | 'User' | 'Group';
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RbacObject {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  rules?: PolicyRule[];
  roleRef?: { apiGroup: 'rbac.authorization.k8s.io'; kind: 'Role' | 'ClusterRole'; name: string };
  subjects?: Subject[];
}

/** One file of generated manifests: its name under base/rbac/ and its objects. */
export interface RbacFile {
  name: string;
  about: string;
  objects: RbacObject[];
}

const RBAC = 'rbac.authorization.k8s.io/v1' as const;
const labels = {
  'app.kubernetes.io/name': 'eafix-chatops',
  'app.kubernetes.io/component': 'rbac',
  'app.kubernetes.io/managed-by': 'rbac-generate',
};
const OPERATIONS = Object.keys(CLUSTER_ACCESS) as ClusterOperation[];

const resourceOf = (c: AccessCheck) => (c.subresource ? `${c.resource}/${c.subresource}` : c.resource);

/** One rule per API group and resource, verbs sorted: the smallest exact form, stable across runs. */
export function rulesFor(checks: readonly AccessCheck[]): PolicyRule[] {
  const byResource = new Map<string, { group: string; resource: string; verbs: Set<string>; names?: Set<string> }>();
  for (const c of checks) {
    const group = c.group ?? API_GROUPS[c.resource] ?? '';
    const key = `${group}|${resourceOf(c)}|${c.name ? 'named' : 'all'}`;
    const entry = byResource.get(key) ?? {
      group,
      resource: resourceOf(c),
      verbs: new Set<string>(),
      ...(c.name ? { names: new Set<string>() } : {}),
    };
    entry.verbs.add(c.verb);
    if (c.name) entry.names?.add(c.name);
    byResource.set(key, entry);
  }
  return [...byResource.values()]
    .sort((a, b) => `${a.group}/${a.resource}`.localeCompare(`${b.group}/${b.resource}`))
    .map((e) => ({
      apiGroups: [e.group],
      resources: [e.resource],
      verbs: [...e.verbs].sort(),
      ...(e.names ? { resourceNames: [...e.names].sort() } : {}),
    }));
}

/** The distinct identities the policy maps roles to (several roles may share one). */
export function mappedIdentities(policy: Policy): MappedIdentity[] {
  const seen = new Map<string, MappedIdentity>();
  for (const identity of Object.values(policy.kubernetes.impersonate)) seen.set(identity.user, identity);
  return [...seen.values()].sort((a, b) => a.user.localeCompare(b.user));
}

/**
 * Roles whose members may run an action that changes something but that map to no identity: their
 * writes go to the cluster as the bot itself, so the bot's own Role must hold the writes too. Decisions on
 * someone else's request (approve, reject, cancel) write as that request's requester, not the decider;
 * a button that runs a command (containment) writes under that command's permission, not its own.
 */
export function unmappedWritingRoles(policy: Policy, actions: readonly AnyAction[]): string[] {
  const changing = actions.filter((a) => a.risk !== 'read' && a.clusterIdentity === undefined);
  return Object.entries(policy.rbac.roles)
    .filter(([role]) => !policy.kubernetes.impersonate[role])
    .filter(([, def]) => changing.some((a) => def.permissions.some((p) => matches(p, a.permission))))
    .map(([role]) => role)
    .sort();
}

const environmentNamespaces = (policy: Policy) =>
  [...new Set(Object.values(policy.topology.environments).map((e) => e.namespace))].sort();

const serviceAccountOf = (user: string) => /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);

function subjectFor(identity: MappedIdentity): Subject {
  const sa = serviceAccountOf(identity.user);
  return sa
    ? { kind: 'ServiceAccount', name: sa[2]!, namespace: sa[1]! }
    : { kind: 'User', name: identity.user, apiGroup: 'rbac.authorization.k8s.io' };
}

function roleWithBinding(
  kind: 'Role' | 'ClusterRole',
  name: string,
  namespace: string | undefined,
  rules: PolicyRule[],
  subjects: Subject[],
): RbacObject[] {
  const meta = (n: string) => ({ name: n, ...(namespace ? { namespace } : {}), labels });
  return [
    { apiVersion: RBAC, kind, metadata: meta(name), rules },
    {
      apiVersion: RBAC,
      kind: kind === 'Role' ? 'RoleBinding' : 'ClusterRoleBinding',
      metadata: meta(name),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name },
      subjects,
    },
  ];
}

/**
 * Roles (and bindings) holding `checks` where each applies: in every environment's namespace, in the one
 * namespace a check names (e.g. Velero's), or cluster-wide for a check asked without a namespace.
 */
function grantedWhere(
  checks: readonly AccessCheck[],
  environments: readonly string[],
  name: string,
  subjects: Subject[],
): RbacObject[] {
  const byNamespace = new Map<string, AccessCheck[]>();
  const clusterWide = checks.filter((c) => c.clusterWide);
  for (const c of checks.filter((x) => !x.clusterWide)) {
    for (const ns of c.namespace ? [c.namespace] : environments)
      byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), c]);
  }
  return [
    ...(clusterWide.length ? roleWithBinding('ClusterRole', name, undefined, rulesFor(clusterWide), subjects) : []),
    ...[...byNamespace.keys()]
      .sort()
      .flatMap((ns) => roleWithBinding('Role', name, ns, rulesFor(byNamespace.get(ns)!), subjects)),
  ];
}

/** Every generated file, in a fixed order. */
export function rbacManifests(policy: Policy, actions: readonly AnyAction[], bot: BotAccount): RbacFile[] {
  const { reads, writes } = accessFor(OPERATIONS);
  const identities = mappedIdentities(policy);
  const unmapped = identities.length === 0 ? Object.keys(policy.rbac.roles) : unmappedWritingRoles(policy, actions);
  const botNeedsWrites = unmapped.length > 0;
  const namespaces = environmentNamespaces(policy);
  const botSubject: Subject = { kind: 'ServiceAccount', name: bot.serviceAccount, namespace: bot.namespace };

  const files: RbacFile[] = [
    {
      name: 'bot-roles.yaml',
      about: botNeedsWrites
        ? `The bot's own rights in each environment: every read, and the writes because roles ${unmapped.join(', ')} map to no identity.`
        : "The bot's own rights in each environment: every read (writes are sent as the mapped identities).",
      objects: grantedWhere(botNeedsWrites ? [...reads, ...writes] : reads, namespaces, bot.serviceAccount, [
        botSubject,
      ]),
    },
  ];
  if (identities.length === 0) return files;

  // Users and groups are cluster-scoped for impersonation; a service account is impersonated in its namespace.
  const checks = impersonationAccess(identities);
  const clusterWide = checks.filter((c) => c.clusterWide);
  const perNamespace = checks.filter((c) => !c.clusterWide);
  const saNamespaces = [...new Set(perNamespace.map((c) => c.namespace!))].sort();
  files.push({
    name: 'impersonation.yaml',
    about: 'The bot may impersonate exactly the identities the policy maps (kubernetes.impersonate), nothing else.',
    objects: [
      ...(clusterWide.length
        ? roleWithBinding('ClusterRole', `${bot.serviceAccount}-impersonate`, undefined, rulesFor(clusterWide), [
            botSubject,
          ])
        : []),
      ...saNamespaces.flatMap((ns) =>
        roleWithBinding(
          'Role',
          `${bot.serviceAccount}-impersonate`,
          ns,
          rulesFor(perNamespace.filter((c) => c.namespace === ns)),
          [botSubject],
        ),
      ),
    ],
  });
  files.push({
    name: 'impersonated-writes.yaml',
    about: 'What the mapped identities need in each environment: the writes, which are sent as them.',
    objects: grantedWhere(writes, namespaces, `${bot.serviceAccount}-writes`, identities.map(subjectFor)),
  });
  return files;
}
