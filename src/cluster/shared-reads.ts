/**
 * Concurrent reads of one environment's deployments and live colour share one in-flight request and a
 * short-lived snapshot, so 50 people typing `/eafix status` at once cost the cluster one list, not 50.
 * The bot's own writes (and the end of its waits, which saw the cluster change) drop the environment's
 * snapshot, so nobody is shown the state from before a change the bot made; errors are never kept.
 * Reads that ask for `fresh` (diagnostics) always make their own request: they see the cluster as it is now.
 * Web and worker processes each keep their own snapshots; the short lifetime bounds how stale another
 * process's change can look.
 */
import type { Cluster, DeploymentStatus, LiveColour, ReadOptions } from './cluster.ts';

export interface SharedReadsOptions {
  /** How long a successful read is served to later callers (default 1.5 s). */
  snapshotMs?: number;
  now?: () => number;
}

interface Entry<T> {
  value: Promise<T>;
  /** When the read finished (undefined while in flight). */
  at: number | undefined;
}

class SingleFlight<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly snapshotMs: number,
    private readonly now: () => number,
  ) {}

  get(key: string, load: () => Promise<T>, fresh: boolean): Promise<T> {
    const current = this.entries.get(key);
    if (!fresh && current && (current.at === undefined || this.now() - current.at < this.snapshotMs))
      return current.value;
    const entry: Entry<T> = { value: load(), at: undefined };
    this.entries.set(key, entry);
    entry.value.then(
      () => {
        entry.at = this.now();
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}

export function withSharedReads(inner: Cluster, options: SharedReadsOptions = {}): Cluster {
  const snapshotMs = options.snapshotMs ?? 1_500;
  const now = options.now ?? Date.now;
  const statuses = new SingleFlight<DeploymentStatus[]>(snapshotMs, now);
  const colours = new SingleFlight<LiveColour>(snapshotMs, now);
  const forget = (environment: string) => {
    statuses.forget(environment);
    colours.forget(environment);
  };
  /** Drops the snapshot before the call (so no read overlapping it is kept) and after it settles. */
  const changing = async <T>(environment: string, call: () => Promise<T>): Promise<T> => {
    forget(environment);
    try {
      return await call();
    } finally {
      forget(environment);
    }
  };
  return {
    status: (environment: string, read?: ReadOptions) =>
      statuses.get(environment, () => inner.status(environment), read?.fresh === true),
    liveColour: (environment: string, read?: ReadOptions) =>
      colours.get(environment, () => inner.liveColour(environment), read?.fresh === true),
    switchTraffic: (environment, colour, change) =>
      changing(environment, () => inner.switchTraffic(environment, colour, change)),
    setColourImage: (environment, colour, target, change) =>
      changing(environment, () => inner.setColourImage(environment, colour, target, change)),
    scale: (environment, target, replicas, change, opts) =>
      changing(environment, () => inner.scale(environment, target, replicas, change, opts)),
    restart: (environment, target, change, opts) =>
      changing(environment, () => inner.restart(environment, target, change, opts)),
    waitForRollout: (environment, target, opts) =>
      changing(environment, () => inner.waitForRollout(environment, target, opts)),
    waitForPodsReady: (environment, selector, opts) =>
      changing(environment, () => inner.waitForPodsReady(environment, selector, opts)),
    gatewayEndpoints: (environment) => inner.gatewayEndpoints(environment),
    listPods: (environment, target) => inner.listPods(environment, target),
    podLogs: (environment, target, opts) => inner.podLogs(environment, target, opts),
    recentEvents: (environment, opts) => inner.recentEvents(environment, opts),
    accessReview: (environment, checks, opts) => inner.accessReview(environment, checks, opts),
    runJob: (environment, job, opts) => inner.runJob(environment, job, opts),
    listJobs: (environment, selector) => inner.listJobs(environment, selector),
    cancelJob: (environment, name, change) => inner.cancelJob(environment, name, change),
    listCertificates: (environment) => inner.listCertificates(environment),
    createBackup: (request) => inner.createBackup(request),
    getBackup: (name) => inner.getBackup(name),
    listBackups: (selector) => inner.listBackups(selector),
    waitForBackup: (name, opts) => inner.waitForBackup(name, opts),
    createRestore: (request) => inner.createRestore(request),
    getRestore: (name) => inner.getRestore(name),
    waitForRestore: (name, opts) => inner.waitForRestore(name, opts),
    getStatefulSet: (environment, name) => inner.getStatefulSet(environment, name),
    scaleStatefulSet: (environment, name, replicas, change) =>
      inner.scaleStatefulSet(environment, name, replicas, change),
    setStatefulSetEnv: (environment, name, container, env, change) =>
      inner.setStatefulSetEnv(environment, name, container, env, change),
    setServiceSelector: (environment, service, selector, change) =>
      changing(environment, () => inner.setServiceSelector(environment, service, selector, change)),
    namespacePhase: (name) => inner.namespacePhase(name),
    deleteScratchNamespace: (name, change, opts) => inner.deleteScratchNamespace(name, change, opts),
    getConfigMap: (environment, name) => inner.getConfigMap(environment, name),
    listConfigMaps: (environment, labelSelector) => inner.listConfigMaps(environment, labelSelector),
    putConfigMap: (environment, write, change) => inner.putConfigMap(environment, write, change),
  };
}
