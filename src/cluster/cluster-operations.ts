/**
 * Every operation of the Cluster port by name, for the wrappers that pass them all on (lazy, routed,
 * shared reads, unconfigured). The wrappers list no operation themselves, so a new one reaches them all.
 */
import type { Cluster, SiteWideOperations } from './cluster.ts';
import { CLUSTER_ACCESS, type ClusterOperation } from './required-access.ts';

export type OperationName = keyof Cluster;

/** From the table of every operation's rights (its type keeps it complete), and accessReview, which needs none. */
export const CLUSTER_OPERATIONS: readonly OperationName[] = [
  ...(Object.keys(CLUSTER_ACCESS) as ClusterOperation[]),
  'accessReview',
];

/** The operations whose first argument is not an environment (the type keeps this complete). */
const SITE_WIDE: Record<keyof SiteWideOperations, true> = {
  createBackup: true,
  getBackup: true,
  listBackups: true,
  waitForBackup: true,
  createRestore: true,
  getRestore: true,
  waitForRestore: true,
  namespacePhase: true,
  deleteScratchNamespace: true,
};

export function isSiteWide(name: OperationName): name is keyof SiteWideOperations {
  return Object.hasOwn(SITE_WIDE, name);
}

/** The environment an operation acts on (its first argument), or undefined for a site-wide one. */
export function environmentOf(name: OperationName, args: readonly unknown[]): string | undefined {
  const first = args[0];
  return !isSiteWide(name) && typeof first === 'string' ? first : undefined;
}

type Call = (...args: unknown[]) => Promise<unknown>;

/** Calls one operation of `cluster` by name, as a method, with the arguments its caller gave. */
export function invoke(cluster: Cluster, name: OperationName, args: readonly unknown[]): Promise<unknown> {
  return (cluster[name] as Call).apply(cluster, [...args]);
}

/**
 * A Cluster whose every operation is `forward(name, args)`, except those `own` writes itself. The
 * arguments reach `forward` as the caller gave them; what it resolves with is the operation's answer.
 */
export function forwardingCluster(
  forward: (name: OperationName, args: readonly unknown[]) => Promise<unknown>,
  own: Partial<Cluster> = {},
): Cluster {
  const forwarded = Object.fromEntries(
    CLUSTER_OPERATIONS.map((name) => [name, (...args: unknown[]) => forward(name, args)]),
  );
  return { ...forwarded, ...own } as unknown as Cluster;
}
