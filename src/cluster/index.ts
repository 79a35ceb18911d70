export type * from './cluster.ts';
export { KubeCluster, type KubeClusterOptions } from './kube-cluster.ts';
export { loadKubeConfig, SERVICE_ACCOUNT_DIR, type LoadKubeConfigOptions } from './kube-config.ts';
export { CHANGE_ANNOTATIONS, RESTARTED_AT_ANNOTATION } from './change-annotations.ts';
export {
  resolveTarget,
  namespaceFor,
  checkReplicas,
  allTargets,
  type Target,
  type ReplicaBounds,
} from './cluster-targets.ts';
export { SCRATCH_NAMESPACES, type ScratchNamespace } from './workload-types.ts';
