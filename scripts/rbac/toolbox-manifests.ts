/**
 * The platform Jobs' own identity (policy `platform.cli.serviceAccount`): its ServiceAccount in every
 * environment's namespace (every platform command runs there as it), and a Role with exactly what the
 * maintenance windows' commands need (src/cluster/toolbox-access.ts) where those windows run. Namespaced
 * only: nothing cluster-wide, no wildcard.
 */
import { environmentNamespaces, toolboxAccess } from '../../src/cluster/toolbox-access.ts';
import type { Policy } from '../../src/config/policy.ts';
import { rulesFor, type RbacObject } from './rbac-manifests.ts';

export interface ServiceAccountObject {
  apiVersion: 'v1';
  kind: 'ServiceAccount';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  automountServiceAccountToken: boolean;
}

export interface ToolboxFile {
  name: string;
  about: string;
  objects: (ServiceAccountObject | RbacObject)[];
}

export const TOOLBOX_FILE = 'toolbox.yaml';

const labels = {
  'app.kubernetes.io/name': 'eafix-toolbox',
  'app.kubernetes.io/component': 'platform-jobs',
  'app.kubernetes.io/managed-by': 'rbac-generate',
};

function serviceAccount(name: string, namespace: string): ServiceAccountObject {
  // kubectl and cmctl in the Job talk to the API server with this token.
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace, labels },
    automountServiceAccountToken: true,
  };
}

function roleAndBinding(name: string, namespace: string, rules: RbacObject['rules']): RbacObject[] {
  const metadata = { name, namespace, labels };
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  ];
}

/** The toolbox's file: empty (a comment only) when the policy names no service account for the Jobs. */
export function toolboxManifests(policy: Policy): ToolboxFile {
  const name = policy.platform.cli.serviceAccount;
  if (!name)
    return {
      name: TOOLBOX_FILE,
      about:
        "platform.cli.serviceAccount is unset: platform Jobs run as each namespace's default service account, and nothing is granted to it here.",
      objects: [],
    };
  const access = toolboxAccess(policy.topology, policy.maintenance);
  const granted = [...access.keys()];
  return {
    name: TOOLBOX_FILE,
    about: `The platform Jobs' service account ${name} in every environment; its Role (${granted.length ? granted.join(', ') : 'nowhere'}) holds what the maintenance windows' kubectl apply/diff --server-side and cmctl renew need.`,
    objects: [
      ...environmentNamespaces(policy.topology).map((ns) => serviceAccount(name, ns)),
      ...[...access].flatMap(([ns, checks]) => roleAndBinding(name, ns, rulesFor(checks))),
    ],
  };
}
