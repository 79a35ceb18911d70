/**
 * A Cluster whose adapter loads on its first call. @kubernetes/client-node (its generated API classes
 * and ~900 models) is most of the bot's start-up time and about 70 MB of its memory, and a process that
 * never touches the cluster (a quiet web process, a worker between runs) need not pay for it. The first
 * cluster call waits for the load (a few hundred ms); every later call goes straight through.
 */
import type { Cluster } from './cluster.ts';
import { CLUSTER_ACCESS, type ClusterOperation } from './required-access.ts';

type AnyOperation = (...args: unknown[]) => Promise<unknown>;

export function lazyCluster(load: () => Promise<Cluster>): Cluster {
  let loading: Promise<Cluster> | undefined;
  // A failed load (not a configuration problem, which load turns into an unconfigured cluster) is tried again.
  const cluster = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  // Every operation, from the table that lists them all (the type keeps it complete).
  const operations = [...(Object.keys(CLUSTER_ACCESS) as ClusterOperation[]), 'accessReview' as const];
  return Object.fromEntries(
    operations.map((name) => [name, async (...args: unknown[]) => ((await cluster())[name] as AnyOperation)(...args)]),
  ) as unknown as Cluster;
}
