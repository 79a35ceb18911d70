/** What the KubeCluster operations share: the API clients, the request wrapper and the topology. */
import type { AppsV1Api, AuthorizationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { Topology } from '../config/topology.ts';
import type { Logger } from '../logger.ts';
import type { KubeRequests } from './kube-request.ts';

export interface KubeContext {
  apps: AppsV1Api;
  core: CoreV1Api;
  authz: AuthorizationV1Api;
  requests: KubeRequests;
  topology: Topology;
  logger: Logger;
  /** Wall clock for ages and `changed-at`; injectable for tests. */
  now: () => number;
  /** Pause between polls while waiting for rollouts and pods. */
  pollIntervalMs: number;
}
