/**
 * Every Kubernetes right each Cluster operation uses, in one table: `doctor` checks exactly these, and
 * a test runs every operation against the simulator and fails when a request is missing here, so the
 * two cannot drift apart (as when `get deployments/scale` was used but never checked).
 */
import type { AccessCheck, Cluster } from './cluster.ts';

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
const patch = (resource: string): AccessCheck => ({ verb: 'patch', resource });
const create = (resource: string): AccessCheck => ({ verb: 'create', resource });
/** Velero's objects live in its own namespace, not the environment's. */
const VELERO_NAMESPACE = 'velero';
const velero = (verb: string, resource: 'backups' | 'restores'): AccessCheck => ({
  verb,
  resource,
  namespace: VELERO_NAMESPACE,
});

export const CLUSTER_ACCESS: Record<ClusterOperation, OperationAccess> = {
  status: { reads: [list('deployments'), list('pods')], writes: [] },
  liveColour: { reads: [get('services')], writes: [] },
  switchTraffic: { reads: [get('services')], writes: [patch('services')] },
  // One patch of the Deployment carries the replicas and the who/why annotations.
  scale: { reads: [get('deployments')], writes: [patch('deployments')] },
  restart: { reads: [get('deployments')], writes: [patch('deployments')] },
  waitForRollout: { reads: [get('deployments')], writes: [] },
  waitForPodsReady: { reads: [list('pods')], writes: [] },
  gatewayEndpoints: { reads: [get('endpoints'), list('pods')], writes: [] },
  listPods: { reads: [list('pods')], writes: [] },
  podLogs: { reads: [list('pods'), get('pods', 'log')], writes: [] },
  recentEvents: { reads: [list('events'), list('pods')], writes: [] },
  // Platform commands: the Job is created as the requester; its progress, pod and log read as the bot.
  runJob: { reads: [get('jobs'), list('pods'), get('pods', 'log')], writes: [create('jobs')] },
  listJobs: { reads: [list('jobs')], writes: [] },
  cancelJob: { reads: [], writes: [{ verb: 'delete', resource: 'jobs' }] },
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
        const key = accessKey(check);
        const found = byKey.get(key) ?? { ...check, group: API_GROUPS[check.resource] ?? '', usedBy: [] };
        found.usedBy.push(op);
        byKey.set(key, found);
      }
    }
    return [...byKey.values()];
  };
  return { reads: collect('reads'), writes: collect('writes') };
}
