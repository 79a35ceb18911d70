import { AppError } from '../app-error.ts';
import type { Cluster } from './cluster.ts';

/**
 * Stands in when no cluster is configured, so the bot still serves everything else and every cluster
 * action says plainly what to set, instead of silently talking to localhost:8080.
 */
export function unconfiguredCluster(cause: AppError): Cluster {
  const fail = async (): Promise<never> => {
    throw new AppError('cluster_not_configured', cause.userMessage, { hints: cause.hints, cause });
  };
  return {
    status: fail,
    liveColour: fail,
    switchTraffic: fail,
    setColourImage: fail,
    scale: fail,
    restart: fail,
    waitForRollout: fail,
    waitForPodsReady: fail,
    gatewayEndpoints: fail,
    listPods: fail,
    podLogs: fail,
    recentEvents: fail,
    accessReview: fail,
    runJob: fail,
    listJobs: fail,
    cancelJob: fail,
    listCertificates: fail,
    createBackup: fail,
    getBackup: fail,
    listBackups: fail,
    waitForBackup: fail,
    createRestore: fail,
    getRestore: fail,
    waitForRestore: fail,
    getStatefulSet: fail,
    scaleStatefulSet: fail,
    setStatefulSetEnv: fail,
    setServiceSelector: fail,
    namespacePhase: fail,
    deleteScratchNamespace: fail,
    getConfigMap: fail,
    listConfigMaps: fail,
    putConfigMap: fail,
  };
}
