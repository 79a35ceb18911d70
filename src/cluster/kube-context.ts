/** What the KubeCluster operations share: the API clients, the request wrapper and the topology. */
import type {
  AppsV1Api,
  AuthorizationV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  Watch,
} from '@kubernetes/client-node';
import type { Topology } from '../config/topology.ts';
import type { Logger } from '../logger.ts';
import type { KubeRequests } from './kube-request.ts';

export interface KubeContext {
  apps: AppsV1Api;
  core: CoreV1Api;
  authz: AuthorizationV1Api;
  batch: BatchV1Api;
  custom: CustomObjectsApi;
  /** Where Velero's Backups and Restores live (default `velero`). */
  veleroNamespace: string;
  requests: KubeRequests;
  topology: Topology;
  logger: Logger;
  /** Wall clock for ages and `changed-at`; injectable for tests. */
  now: () => number;
  /** Pause between polls while waiting for rollouts and pods (the resync when a watch wakes the wait). */
  pollIntervalMs: number;
  /** Watches that wake those waits as soon as what they wait for changes. */
  watch: Watch;
}

/**
 * A role of the Cluster port as a kube-*.ts module writes it: each operation takes the KubeContext
 * first, then the port's own parameters. Each module exports one such table; kube-cluster.ts binds them.
 */
export type KubeOperations<Port> = {
  [Name in keyof Port]: Port[Name] extends (...args: infer Args) => infer Result
    ? (k: KubeContext, ...args: Args) => Result
    : never;
};

type ContextCall = (k: KubeContext, ...args: unknown[]) => unknown;

/** The port itself: every operation of the table with `k` bound. */
export function bindContext<Port>(k: KubeContext, operations: KubeOperations<Port>): Port {
  const table = operations as Record<string, ContextCall>;
  return Object.fromEntries(
    Object.entries(table).map(([name, call]) => [name, (...args: unknown[]) => call(k, ...args)]),
  ) as Port;
}
