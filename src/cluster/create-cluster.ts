import { KubeConfig } from '@kubernetes/client-node';
import { isAppError } from '../app-error.ts';
import type { Topology } from '../config/topology.ts';
import type { Logger } from '../logger.ts';
import type { Cluster } from './cluster.ts';
import { KubeCluster } from './kube-cluster.ts';
import { loadKubeConfig } from './kube-config.ts';
import { reuseConnections } from './keep-alive.ts';
import { withSharedReads } from './shared-reads.ts';
import { unconfiguredCluster } from './unconfigured-cluster.ts';
import { routeByEnvironment } from './routed-cluster.ts';
import { AppError } from '../app-error.ts';

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
  /** Environments in other clusters: environment → kubeconfig context (policy `kubernetes.sites`). */
  sites?: Readonly<Record<string, { context: string }>>;
}): Cluster {
  try {
    const kubeConfig =
      options.kubeConfig ??
      loadKubeConfig({ ...(options.kubeconfigPath ? { kubeconfigPath: options.kubeconfigPath } : {}) });
    const build = (kc: KubeConfig) =>
      withSharedReads(
        new KubeCluster({ kubeConfig: reuseConnections(kc), topology: options.topology, logger: options.logger }),
      );
    const sites = new Map(
      Object.entries(options.sites ?? {}).map(([environment, site]) => [
        environment,
        build(inContext(kubeConfig, site.context)),
      ]),
    );
    return routeByEnvironment(build(kubeConfig), sites);
  } catch (error) {
    if (!isAppError(error)) throw error;
    options.logger.warn({ code: error.code }, 'no Kubernetes cluster configured; cluster actions will say so');
    return unconfiguredCluster(error);
  }
}

/** A copy of the kubeconfig pointed at another of its contexts; a context it lacks is a clear error. */
function inContext(kubeConfig: KubeConfig, context: string): KubeConfig {
  if (!kubeConfig.getContexts().some((c) => c.name === context))
    throw new AppError(
      'cluster_not_configured',
      `The kubeconfig has no context named ${context} (policy kubernetes.sites).`,
      {
        hints: [
          `Contexts: ${
            kubeConfig
              .getContexts()
              .map((c) => c.name)
              .join(', ') || 'none'
          }`,
        ],
      },
    );
  const copy = new KubeConfig();
  copy.loadFromString(kubeConfig.exportConfig());
  copy.setCurrentContext(context);
  return copy;
}
