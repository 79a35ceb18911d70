/**
 * Every Kubernetes right each Cluster operation uses, in one table: `doctor` checks exactly these, and
 * a test runs every operation against the simulator and fails when a request is missing here, so the
 * two cannot drift apart (as when `get deployments/scale` was used but never checked).
 */
import type { AccessCheck, Cluster } from './cluster.ts';
import { SCRATCH_NAMESPACES } from './workload-types.ts';

export type ClusterOperation = Exclude<keyof Cluster, 'accessReview'>;

export interface OperationAccess {
  /** Requests sent as the bot itself. */
  reads: readonly AccessCheck[];
  /** Requests sent as the requester's mapped identity when impersonation is configured. */
  writes: readonly AccessCheck[];
}

const get = (resource: string, subresource?: string): AccessCheck => ({
  verb: 'get',
  resource,
  ...(subresource ? { subresource } : {}),
});
const list = (resource: string): AccessCheck => ({ verb: 'list', resource });
/** Waits watch what they wait for, so they see a change at once (without the right they poll). */
const watch = (resource: string): AccessCheck => ({ verb: 'watch', resource });
const patch = (resource: string): AccessCheck => ({ verb: 'patch', resource });
const create = (resource: string): AccessCheck => ({ verb: 'create', resource });
/** Velero's objects live in its own namespace, not the environment's. */
const VELERO_NAMESPACE = 'velero';
const velero = (verb: string, resource: 'backups' | 'restores'): AccessCheck => ({
  verb,
  resource,
  namespace: VELERO_NAMESPACE,
});

const scratch = (verb: string, name: string): AccessCheck => ({
  verb,
  resource: 'namespaces',
  name,
  clusterWide: true,
});

export const CLUSTER_ACCESS: Record<ClusterOperation, OperationAccess> = {
  status: { reads: [list('deployments'), list('pods')], writes: [] },
  deploymentSpec: { reads: [get('deployments')], writes: [] },
  liveColour: { reads: [get('services')], writes: [] },
  // The colour traffic leaves is read for its version, recorded on the Service for the next rollback.
  switchTraffic: { reads: [get('services'), get('deployments')], writes: [patch('services')] },
  // Deploy: the idle colour's image, version and change cause in one patch.
  setColourImage: { reads: [get('deployments')], writes: [patch('deployments')] },
  // One patch of the Deployment carries the replicas and the who/why annotations.
  scale: { reads: [get('deployments')], writes: [patch('deployments')] },
  restart: { reads: [get('deployments')], writes: [patch('deployments')] },
  waitForRollout: { reads: [get('deployments'), watch('deployments')], writes: [] },
  waitForPodsReady: { reads: [list('pods'), watch('pods')], writes: [] },
  gatewayEndpoints: { reads: [get('endpoints'), list('pods')], writes: [] },
  listPods: { reads: [list('pods')], writes: [] },
  podLogs: { reads: [list('pods'), get('pods', 'log')], writes: [] },
  recentEvents: { reads: [list('events'), list('pods')], writes: [] },
  // Platform commands: the Job is created as the requester; its progress, pod and log read as the bot.
  runJob: { reads: [get('jobs'), list('pods'), get('pods', 'log')], writes: [create('jobs')] },
  listJobs: { reads: [list('jobs')], writes: [] },
  cancelJob: { reads: [], writes: [{ verb: 'delete', resource: 'jobs' }] },
  listCertificates: { reads: [list('certificates')], writes: [] },
  createBackup: { reads: [velero('get', 'backups')], writes: [velero('create', 'backups')] },
  getBackup: { reads: [velero('get', 'backups')], writes: [] },
  listBackups: { reads: [velero('list', 'backups')], writes: [] },
  waitForBackup: { reads: [velero('get', 'backups')], writes: [] },
  createRestore: { reads: [velero('get', 'restores')], writes: [velero('create', 'restores')] },
  getRestore: { reads: [velero('get', 'restores')], writes: [] },
  waitForRestore: { reads: [velero('get', 'restores')], writes: [] },
  getStatefulSet: { reads: [get('statefulsets')], writes: [] },
  scaleStatefulSet: { reads: [get('statefulsets')], writes: [patch('statefulsets')] },
  setStatefulSetEnv: { reads: [get('statefulsets')], writes: [patch('statefulsets')] },
  setServiceSelector: { reads: [get('services')], writes: [patch('services')] },
  // Scratch namespaces only, by name: the cluster-wide right cannot reach an environment's namespace.
  namespacePhase: { reads: SCRATCH_NAMESPACES.map((name) => scratch('get', name)), writes: [] },
  deleteScratchNamespace: {
    reads: SCRATCH_NAMESPACES.map((name) => scratch('get', name)),
    writes: SCRATCH_NAMESPACES.map((name) => scratch('delete', name)),
  },
  // Configuration changes: read and list as the bot; create or replace as the requester.
  getConfigMap: { reads: [get('configmaps')], writes: [] },
  listConfigMaps: { reads: [list('configmaps')], writes: [] },
  putConfigMap: {
    reads: [get('configmaps')],
    writes: [create('configmaps'), { verb: 'update', resource: 'configmaps' }],
  },
};

/** API groups of the resources the bot touches (deployments → apps; core resources → ''). */
export const API_GROUPS: Record<string, string> = {
  deployments: 'apps',
  replicasets: 'apps',
  statefulsets: 'apps',
  daemonsets: 'apps',
  jobs: 'batch',
  backups: 'velero.io',
  restores: 'velero.io',
  certificates: 'cert-manager.io',
};

export const accessKey = (c: AccessCheck): string =>
  `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''}`;

/** The distinct rights behind `operations`, each with the operations that need it, reads and writes apart. */
export function accessFor(operations: readonly ClusterOperation[]): {
  reads: (AccessCheck & { usedBy: ClusterOperation[] })[];
  writes: (AccessCheck & { usedBy: ClusterOperation[] })[];
} {
  const collect = (kind: keyof OperationAccess) => {
    const byKey = new Map<string, AccessCheck & { usedBy: ClusterOperation[] }>();
    for (const op of operations) {
      for (const check of CLUSTER_ACCESS[op][kind]) {
        // Named rights (one scratch namespace each) stay apart, so every name reaches the Role.
        const key = `${accessKey(check)}${check.name ? ` ${check.name}` : ''}`;
        const found = byKey.get(key) ?? { ...check, group: API_GROUPS[check.resource] ?? '', usedBy: [] };
        found.usedBy.push(op);
        byKey.set(key, found);
      }
    }
    return [...byKey.values()];
  };
  return { reads: collect('reads'), writes: collect('writes') };
}
