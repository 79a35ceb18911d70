import type { KubeConfig } from '@kubernetes/client-node';
import { isAppError } from '../app-error.ts';
import type { Topology } from '../config/topology.ts';
import type { Logger } from '../logger.ts';
import type { Cluster } from './cluster.ts';
import { lazyCluster, type LazyCluster } from './lazy-cluster.ts';
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
}): LazyCluster {
  // client-node loads with the first cluster call or `load()` (lazy-cluster.ts), not at import.
  const lazy = lazyCluster(() => loadCluster(options));
  return { cluster: withSharedReads(lazy.cluster), load: lazy.load };
}

async function loadCluster(options: Parameters<typeof createCluster>[0]): Promise<Cluster> {
  const [{ KubeCluster }, { loadKubeConfig }, { reuseConnections }] = await Promise.all([
    import('./kube-cluster.ts'),
    import('./kube-config.ts'),
    import('./keep-alive.ts'),
  ]);
  try {
    const kubeConfig =
      options.kubeConfig ??
      loadKubeConfig({ ...(options.kubeconfigPath ? { kubeconfigPath: options.kubeconfigPath } : {}) });
    return new KubeCluster({
      kubeConfig: reuseConnections(kubeConfig),
      topology: options.topology,
      logger: options.logger,
    });
  } catch (error) {
    if (!isAppError(error)) throw error;
    options.logger.warn({ code: error.code }, 'no Kubernetes cluster configured; cluster actions will say so');
    return unconfiguredCluster(error);
  }
}
