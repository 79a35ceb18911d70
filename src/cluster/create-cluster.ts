import type { KubeConfig } from '@kubernetes/client-node';
import { isAppError } from '../app-error.ts';
import type { Topology } from '../config/topology.ts';
import type { Logger } from '../logger.ts';
import type { Cluster } from './cluster.ts';
import { KubeCluster } from './kube-cluster.ts';
import { loadKubeConfig } from './kube-config.ts';
import { reuseConnections } from './keep-alive.ts';
import { withSharedReads } from './shared-reads.ts';
import { unconfiguredCluster } from './unconfigured-cluster.ts';

export type { KubeConfig };

/**
 * The cluster from an explicit KubeConfig (sandbox), KUBECONFIG, or in-cluster; never a silent default.
 * Connections are reused, and concurrent reads of an environment share one request (shared-reads.ts).
 */
export function createCluster(options: {
  topology: Topology;
  logger: Logger;
  kubeConfig?: KubeConfig;
  kubeconfigPath?: string | undefined;
}): Cluster {
  try {
    const kubeConfig =
      options.kubeConfig ??
      loadKubeConfig({ ...(options.kubeconfigPath ? { kubeconfigPath: options.kubeconfigPath } : {}) });
    return withSharedReads(
      new KubeCluster({ kubeConfig: reuseConnections(kubeConfig), topology: options.topology, logger: options.logger }),
    );
  } catch (error) {
    if (!isAppError(error)) throw error;
    options.logger.warn({ code: error.code }, 'no Kubernetes cluster configured; cluster actions will say so');
    return unconfiguredCluster(error);
  }
}
