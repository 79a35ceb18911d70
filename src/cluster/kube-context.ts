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
