/**
 * A small Kubernetes RBAC authorizer over manifests (Role/ClusterRole + their bindings), so tests can
 * ask "may this subject do this?" and "what does this subject get?" of the committed files.
 */
import type { PolicyRule, RbacObject, Subject } from '../../scripts/rbac/rbac-manifests.ts';

export interface Identity {
  user: string;
  groups: string[];
}

/** One thing a rule grants: a verb on a group/resource[/subresource], maybe one name, in a namespace or cluster-wide. */
export interface Grant {
  namespace: string | undefined;
  group: string;
  resource: string;
  verb: string;
  name: string | undefined;
}

export const grantKey = (g: Grant) =>
  `${g.namespace ?? '(cluster)'} ${g.verb} ${g.group}/${g.resource}${g.name ? ` ${g.name}` : ''}`;

const matchesSubject = (s: Subject, who: Identity) =>
  (s.kind === 'User' && s.name === who.user) ||
  (s.kind === 'Group' && who.groups.includes(s.name)) ||
  (s.kind === 'ServiceAccount' && who.user === `system:serviceaccount:${s.namespace}:${s.name}`);

function rulesOf(
  objects: readonly RbacObject[],
  kind: 'Role' | 'ClusterRole',
  name: string,
  namespace: string | undefined,
): PolicyRule[] {
  return (
    objects.find(
      (o) =>
        o.kind === kind && o.metadata.name === name && (kind === 'ClusterRole' || o.metadata.namespace === namespace),
    )?.rules ?? []
  );
}

/** Every grant `who` holds through the bindings in `objects`, expanded one verb/resource/name each. */
export function grantsOf(objects: readonly RbacObject[], who: Identity): Grant[] {
  const grants: Grant[] = [];
  for (const binding of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    if (!binding.subjects?.some((s) => matchesSubject(s, who)) || !binding.roleRef) continue;
    const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
    for (const rule of rulesOf(objects, binding.roleRef.kind, binding.roleRef.name, namespace)) {
      for (const group of rule.apiGroups)
        for (const resource of rule.resources)
          for (const verb of rule.verbs) {
            for (const name of rule.resourceNames ?? [undefined])
              grants.push({ namespace, group, resource, verb, name });
          }
    }
  }
  return grants;
}

/** Whether one of `grants` allows the request (a cluster-wide grant covers every namespace). */
export function allows(grants: readonly Grant[], request: Grant): boolean {
  return grants.some(
    (g) =>
      (g.namespace === undefined || g.namespace === request.namespace) &&
      [request.group, '*'].includes(g.group) &&
      [request.resource, '*'].includes(g.resource) &&
      [request.verb, '*'].includes(g.verb) &&
      (g.name === undefined || g.name === request.name),
  );
}
