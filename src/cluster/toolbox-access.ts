/**
 * The Kubernetes rights the platform Jobs' own service account (policy `platform.cli.serviceAccount`)
 * needs for the commands the bot runs in them, derived from the policy: each maintenance window's
 * steps, in that window's environment. `npm run rbac:generate` writes them as the toolbox's Role.
 *
 * - `kubectl apply --server-side` sends an apply patch per object (`patch`; the API server also asks
 *   `create` when the object does not exist yet) and reads the object back on a field-manager
 *   migration conflict (`get`); `kubectl diff --server-side` reads the live object (`get`) and sends
 *   the same apply patch as a dry run, which is authorised like the real one.
 * - `cmctl renew <name> -n <ns>` reads the Certificate (`get`) and sets its Issuing condition with an
 *   UpdateStatus (`update certificates/status`); it lists nothing when given names.
 */
import type { MaintenancePolicy } from '../config/maintenance-policy.ts';
import type { Topology } from '../config/topology.ts';
import { namespaceFor } from './cluster-targets.ts';
import type { AccessCheck } from './cluster.ts';

export type ToolboxCheck = AccessCheck & { group: string; usedBy: string[] };

/** The manifest-applying steps and the policy's set each applies. */
const MANIFEST_STEPS = { 'security-patches': 'securityPatches', 'security-updates': 'securityUpdates' } as const;

/** `deployments.apps` → deployments in apps; `configmaps` → the core group. */
export function parseResource(ref: string): { resource: string; group: string } {
  const dot = ref.indexOf('.');
  return dot < 0 ? { resource: ref, group: '' } : { resource: ref.slice(0, dot), group: ref.slice(dot + 1) };
}

const SERVER_SIDE_APPLY = ['get', 'patch', 'create'] as const;

function stepNeeds(step: string, maintenance: MaintenancePolicy): Omit<ToolboxCheck, 'usedBy'>[] {
  if (step in MANIFEST_STEPS) {
    const set = maintenance[MANIFEST_STEPS[step as keyof typeof MANIFEST_STEPS]];
    return set.resources.flatMap((ref) => SERVER_SIDE_APPLY.map((verb) => ({ verb, ...parseResource(ref) })));
  }
  if (step === 'certificates' && maintenance.certificates.renew)
    return [
      { verb: 'get', resource: 'certificates', group: 'cert-manager.io' },
      { verb: 'update', resource: 'certificates', subresource: 'status', group: 'cert-manager.io' },
    ];
  return [];
}

const keyOf = (c: Omit<ToolboxCheck, 'usedBy'>) =>
  `${c.verb} ${c.group}/${c.resource}${c.subresource ? `/${c.subresource}` : ''}`;

/** What the toolbox needs in each namespace where a window runs a step that talks to Kubernetes. */
export function toolboxAccess(topology: Topology, maintenance: MaintenancePolicy): Map<string, ToolboxCheck[]> {
  const byNamespace = new Map<string, Map<string, ToolboxCheck>>();
  for (const [name, window] of Object.entries(maintenance.windows)) {
    const namespace = namespaceFor(topology, window.environment);
    const checks = byNamespace.get(namespace) ?? new Map<string, ToolboxCheck>();
    for (const step of window.steps)
      for (const need of stepNeeds(step, maintenance)) {
        const found = checks.get(keyOf(need)) ?? { ...need, usedBy: [] };
        const use = `${name} ${step}`;
        if (!found.usedBy.includes(use)) found.usedBy.push(use);
        checks.set(keyOf(need), found);
      }
    if (checks.size > 0) byNamespace.set(namespace, checks);
  }
  return new Map([...byNamespace].sort(([a], [b]) => a.localeCompare(b)).map(([ns, c]) => [ns, [...c.values()]]));
}

/** The environments' namespaces, where every platform Job runs (so where its service account must exist). */
export const environmentNamespaces = (topology: Topology): string[] =>
  [...new Set(Object.values(topology.environments).map((e) => e.namespace))].sort();
