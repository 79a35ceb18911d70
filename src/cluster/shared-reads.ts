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
import { environmentOf, forwardingCluster, invoke, type OperationName } from './cluster-operations.ts';

/**
 * Operations that change what `status` and `liveColour` show (or, for waits, end having seen it
 * change): the environment's snapshot is dropped around them. Every other operation passes straight on.
 */
const CHANGES_WHAT_READS_SHOW: ReadonlySet<OperationName> = new Set<OperationName>([
  'switchTraffic',
  'setColourImage',
  'scale',
  'restart',
  'waitForRollout',
  'waitForPodsReady',
  'setServiceSelector',
]);

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
  return forwardingCluster(
    (name, args) => {
      const environment = environmentOf(name, args);
      const call = () => invoke(inner, name, args);
      return environment !== undefined && CHANGES_WHAT_READS_SHOW.has(name) ? changing(environment, call) : call();
    },
    {
      status: (environment: string, read?: ReadOptions) =>
        statuses.get(environment, () => inner.status(environment), read?.fresh === true),
      liveColour: (environment: string, read?: ReadOptions) =>
        colours.get(environment, () => inner.liveColour(environment), read?.fresh === true),
    },
  );
}
