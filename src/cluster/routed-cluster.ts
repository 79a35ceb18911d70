/**
 * Environments in different clusters (a DR site is another data centre): every operation on an
 * environment goes to the cluster it lives in, so acting on `dr` never waits on, or writes to, the
 * primary cluster. Operations without an environment (Velero, scratch namespaces) go to the bot's own.
 */
import type { Cluster } from './cluster.ts';
import { environmentOf, forwardingCluster, invoke } from './cluster-operations.ts';

export function routeByEnvironment(home: Cluster, sites: ReadonlyMap<string, Cluster>): Cluster {
  if (sites.size === 0) return home;
  const at = (environment: string | undefined) => (environment === undefined ? home : (sites.get(environment) ?? home));
  return forwardingCluster((name, args) => invoke(at(environmentOf(name, args)), name, args));
}
