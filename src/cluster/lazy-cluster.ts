/**
 * A Cluster whose adapter loads on its first call. @kubernetes/client-node (its generated API classes
 * and ~900 models) is most of the bot's start-up time and about 70 MB of its memory, and a process that
 * never touches the cluster (a web process nobody has asked about the cluster yet) need not pay for it.
 * The first cluster call waits for the load (~0.8 s here; an ESM graph, so the event loop is never held
 * for more than ~0.2 s of it). A worker process, whose jobs use the cluster, loads it while it starts.
 */
import type { Cluster } from './cluster.ts';
import { forwardingCluster, invoke } from './cluster-operations.ts';

export interface LazyCluster {
  cluster: Cluster;
  /** Loads the adapter now (a process that will certainly use it, before it takes jobs). */
  load(): Promise<void>;
}

export function lazyCluster(load: () => Promise<Cluster>): LazyCluster {
  let loading: Promise<Cluster> | undefined;
  // A failed load (not a configuration problem, which load turns into an unconfigured cluster) is tried again.
  const loaded = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  const cluster = forwardingCluster(async (name, args) => invoke(await loaded(), name, args));
  return { cluster, load: async () => void (await loaded()) };
}
