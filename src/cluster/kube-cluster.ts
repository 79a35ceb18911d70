/**
 * KubeCluster: the Cluster capability over @kubernetes/client-node 1.4. Each role of the port is
 * written in its own kube-*.ts module against a shared KubeContext; this binds them to one context.
 */
import {
  AppsV1Api,
  AuthorizationV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  Watch,
  type KubeConfig,
} from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';
import type { Topology } from '../config/topology.ts';
import type { Logger } from '../logger.ts';
import type { Cluster } from './cluster.ts';
import { bindContext, type KubeContext, type KubeOperations } from './kube-context.ts';
import { accessReviewOperations } from './kube-access-review.ts';
import { certificateOperations } from './kube-certificates.ts';
import { configMapOperations } from './kube-configmaps.ts';
import { jobOperations } from './kube-jobs.ts';
import { namespaceOperations } from './kube-namespaces.ts';
import { readOperations } from './kube-reads.ts';
import { KubeRequests } from './kube-request.ts';
import { serviceSelectorOperations } from './kube-services.ts';
import { statefulSetOperations } from './kube-statefulsets.ts';
import { veleroOperations } from './kube-velero.ts';
import { waitOperations } from './kube-waits.ts';
import { changeOperations } from './kube-writes.ts';

export interface KubeClusterOptions {
  kubeConfig: KubeConfig;
  topology: Topology;
  logger: Logger;
  /** Bound on every single request (default 10 s). */
  requestTimeoutMs?: number;
  /** Pause between polls while waiting (default 1 s). */
  pollIntervalMs?: number;
  now?: () => number;
  /** Namespace of Velero's Backups and Restores; default `velero`. */
  veleroNamespace?: string;
}

/** Every role's table: a role missing here (or an operation missing from its table) does not compile. */
const OPERATIONS: KubeOperations<Cluster> = {
  ...readOperations,
  ...changeOperations,
  ...waitOperations,
  ...accessReviewOperations,
  ...jobOperations,
  ...certificateOperations,
  ...statefulSetOperations,
  ...serviceSelectorOperations,
  ...configMapOperations,
  ...veleroOperations,
  ...namespaceOperations,
};

function kubeContext(options: KubeClusterOptions): KubeContext {
  const server = options.kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new AppError('cluster_not_configured', 'The Kubernetes configuration has no current cluster.');
  const logger = options.logger.child({ component: 'kube-cluster' });
  return {
    apps: options.kubeConfig.makeApiClient(AppsV1Api),
    core: options.kubeConfig.makeApiClient(CoreV1Api),
    authz: options.kubeConfig.makeApiClient(AuthorizationV1Api),
    batch: options.kubeConfig.makeApiClient(BatchV1Api),
    custom: options.kubeConfig.makeApiClient(CustomObjectsApi),
    veleroNamespace: options.veleroNamespace ?? 'velero',
    requests: new KubeRequests(server, options.requestTimeoutMs ?? 10_000, logger),
    topology: options.topology,
    logger,
    now: options.now ?? Date.now,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    watch: new Watch(options.kubeConfig),
  };
}

/** A class whose instances carry the operations given to its constructor (typed as the port). */
function portClass<Port extends object>(): new (operations: Port) => Port {
  return class {
    constructor(operations: Port) {
      Object.assign(this, operations);
    }
  } as unknown as new (operations: Port) => Port;
}

export class KubeCluster extends portClass<Cluster>() {
  constructor(options: KubeClusterOptions) {
    super(bindContext(kubeContext(options), OPERATIONS));
  }
}
