import type { KubeConfig } from '@kubernetes/client-node';
import { AppError, isAppError } from '../app-error.ts';
import type { Topology } from '../config/topology.ts';
import type { Logger } from '../logger.ts';
import type { Cluster } from './cluster.ts';
import { lazyCluster, type LazyCluster } from './lazy-cluster.ts';
import { routeByEnvironment } from './routed-cluster.ts';
import { withSharedReads } from './shared-reads.ts';
import { unconfiguredCluster } from './unconfigured-cluster.ts';

export type { KubeConfig };

/**
 * The cluster from an explicit KubeConfig (sandbox), KUBECONFIG, or in-cluster; never a silent default.
 * Environments the policy places in other clusters (`kubernetes.sites`) go to their own context.
 * Connections are reused, and concurrent reads of an environment share one request (shared-reads.ts).
 */
export function createCluster(options: {
  topology: Topology;
  logger: Logger;
  kubeConfig?: KubeConfig;
  kubeconfigPath?: string | undefined;
  /** Environments in other clusters: environment → kubeconfig context (policy `kubernetes.sites`). */
  sites?: Readonly<Record<string, { context: string }>> | undefined;
}): LazyCluster {
  // client-node loads with the first cluster call or `load()` (lazy-cluster.ts), not at import.
  const lazy = lazyCluster(() => loadCluster(options));
  return { cluster: withSharedReads(lazy.cluster), load: lazy.load };
}

async function loadCluster(options: Parameters<typeof createCluster>[0]): Promise<Cluster> {
  const [{ KubeConfig }, { KubeCluster }, { loadKubeConfig }, { reuseConnections }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('./kube-cluster.ts'),
    import('./kube-config.ts'),
    import('./keep-alive.ts'),
  ]);
  try {
    const kubeConfig =
      options.kubeConfig ??
      loadKubeConfig({ ...(options.kubeconfigPath ? { kubeconfigPath: options.kubeconfigPath } : {}) });
    const build = (kc: KubeConfig) =>
      new KubeCluster({ kubeConfig: reuseConnections(kc), topology: options.topology, logger: options.logger });
    /** A copy of the kubeconfig pointed at another of its contexts; a context it lacks is a clear error. */
    const inContext = (context: string): KubeConfig => {
      const contexts = kubeConfig.getContexts().map((c) => c.name);
      if (!contexts.includes(context))
        throw new AppError(
          'cluster_not_configured',
          `The kubeconfig has no context named ${context} (policy kubernetes.sites).`,
          { hints: [`Contexts: ${contexts.join(', ') || 'none'}`] },
        );
      const copy = new KubeConfig();
      copy.loadFromString(kubeConfig.exportConfig());
      copy.setCurrentContext(context);
      return copy;
    };
    const sites = new Map(
      Object.entries(options.sites ?? {}).map(([environment, site]) => [environment, build(inContext(site.context))]),
    );
    return routeByEnvironment(build(kubeConfig), sites);
  } catch (error) {
    if (!isAppError(error)) throw error;
    options.logger.warn({ code: error.code }, 'no Kubernetes cluster configured; cluster actions will say so');
    return unconfiguredCluster(error);
  }
}
