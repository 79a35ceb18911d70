import { AppError } from '../app-error.ts';
import type { Cluster } from './cluster.ts';
import { environmentOf, forwardingCluster } from './cluster-operations.ts';

/**
 * Stands in when no cluster is configured, so the bot still serves everything else and every cluster
 * action says plainly what to set, instead of silently talking to localhost:8080. The error also names
 * the operation (and its environment) that was not sent.
 */
export function unconfiguredCluster(cause: AppError): Cluster {
  return forwardingCluster(async (name, args): Promise<never> => {
    const environment = environmentOf(name, args);
    const asked = `Not sent to Kubernetes: ${name}${environment === undefined ? '' : ` for ${environment}`}.`;
    throw new AppError('cluster_not_configured', cause.userMessage, { hints: [...cause.hints, asked], cause });
  });
}
