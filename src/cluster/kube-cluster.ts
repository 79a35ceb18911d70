/**
 * KubeCluster: the Cluster capability over @kubernetes/client-node 1.4. Reads live here; writes,
 * waits and logs are in their own modules and share a KubeContext.
 */
import {
  AppsV1Api,
  AuthorizationV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  Watch,
  type CoreV1Event,
  type KubeConfig,
} from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';
import type { Topology } from '../config/topology.ts';
import type { Logger } from '../logger.ts';
import type {
  AccessCheck,
  AccessResult,
  AccessReviewOptions,
  ChangeMeta,
  Cluster,
  ClusterEvent,
  Colour,
  ColourImageChange,
  DeploymentStatus,
  GatewayEndpoint,
  GatewayEndpoints,
  LiveColour,
  PodLogs,
  PodLogsOptions,
  PodsReady,
  PodSummary,
  RecentEventsOptions,
  RestartOptions,
  RestartResult,
  RolloutProgress,
  ScaleResult,
  ServiceSelectorChange,
  TrafficSwitch,
  WaitForPodsOptions,
  WaitForRolloutOptions,
} from './cluster.ts';
import { allTargets, formatSelector, isColour, namespaceFor, resolveTarget } from './cluster-targets.ts';
import { summariseDeployment } from './deployment-rollout.ts';
import type { KubeContext } from './kube-context.ts';
import { podLogs } from './kube-pod-logs.ts';
import { KubeRequests } from './kube-request.ts';
import { waitForPodsReady, waitForRollout } from './kube-waits.ts';
import { restart, scale, switchTraffic } from './kube-writes.ts';
import { previousOf, setColourImage } from './kube-colours.ts';
import { summarisePod } from './pod-summary.ts';
import { API_GROUPS } from './required-access.ts';
import { cancelJob, listJobs, runJob } from './kube-jobs.ts';
import { createBackup, createRestore, getVelero, listVelero, waitForVelero } from './kube-velero.ts';
import { listCertificates } from './kube-certificates.ts';
import { getStatefulSet, scaleStatefulSet, setStatefulSetEnv } from './kube-statefulsets.ts';
import { deleteScratchNamespace, namespacePhase } from './kube-namespaces.ts';
import { setServiceSelector } from './kube-services.ts';
import { getConfigMap, listConfigMaps, putConfigMap } from './kube-configmaps.ts';
import type { ConfigMapSnapshot, ConfigMapWrite, ConfigMapWriteResult } from './configmap-types.ts';
import type {
  BackupRequest,
  JobOutcome,
  JobRequest,
  JobSummary,
  NamespaceDeletion,
  RestoreRequest,
  RunJobOptions,
  StatefulSetScale,
  StatefulSetStatus,
  VeleroStatus,
  WaitForNamespaceOptions,
  WaitForVeleroOptions,
  CertificateStatus,
} from './workload-types.ts';

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

function eventTime(e: CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

/** Without a filter, how many events to read before sorting newest first. */
const NAMESPACE_EVENTS_PAGE = 500;
/** A service's objects whose events are read (its deployment, replica sets and pods). */
const MAX_EVENT_OBJECTS = 25;
/** Events read per object: few distinct ones exist per object (repeats are counted, not stored). */
const PER_OBJECT_EVENTS = 100;

export class KubeCluster implements Cluster {
  private readonly k: KubeContext;

  constructor(options: KubeClusterOptions) {
    const server = options.kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new AppError('cluster_not_configured', 'The Kubernetes configuration has no current cluster.');
    const logger = options.logger.child({ component: 'kube-cluster' });
    this.k = {
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

  async status(environment: string): Promise<DeploymentStatus[]> {
    const namespace = namespaceFor(this.k.topology, environment);
    const { requests, apps, core } = this.k;
    // Two list calls per namespace however many services there are.
    const [deployments, pods] = await Promise.all([
      requests.run({ verb: 'list', resource: 'deployments', namespace }, (o) =>
        apps.listNamespacedDeployment({ namespace }, o),
      ),
      requests.run({ verb: 'list', resource: 'pods', namespace }, (o) => core.listNamespacedPod({ namespace }, o)),
    ]);
    const targets = allTargets(this.k.topology);
    const order = new Map<string, number>();
    targets.forEach((t, i) => order.has(t.deployment) || order.set(t.deployment, i));
    const rank = (name: string) => order.get(name) ?? targets.length;
    return deployments.items
      .map((d) => summariseDeployment(d, pods.items, this.k.topology))
      .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  }

  async liveColour(environment: string): Promise<LiveColour> {
    const namespace = namespaceFor(this.k.topology, environment);
    const name = this.k.topology.gateway.service;
    const service = await this.k.requests.run({ verb: 'get', resource: 'services', namespace, name }, (o) =>
      this.k.core.readNamespacedService({ name, namespace }, o),
    );
    const selector = { ...(service.spec?.selector ?? {}) };
    const value = selector[this.k.topology.gateway.selectorKey];
    const previous = previousOf(service.metadata?.annotations);
    return {
      colour: value !== undefined && isColour(value) ? value : 'unknown',
      selector,
      ...(previous ? { previous } : {}),
    };
  }

  switchTraffic(environment: string, colour: Colour, change: ChangeMeta): Promise<TrafficSwitch> {
    return switchTraffic(this.k, environment, colour, change);
  }

  setColourImage(
    environment: string,
    colour: Colour,
    target: { image: string; version: string },
    change: ChangeMeta,
  ): Promise<ColourImageChange> {
    return setColourImage(this.k, environment, colour, target, change);
  }

  scale(
    environment: string,
    target: string,
    replicas: number,
    change: ChangeMeta,
    options: { isolate?: boolean } = {},
  ): Promise<ScaleResult> {
    return scale(this.k, environment, target, replicas, change, options);
  }

  restart(environment: string, target: string, change: ChangeMeta, options?: RestartOptions): Promise<RestartResult> {
    return restart(this.k, environment, target, change, options);
  }

  waitForRollout(environment: string, target: string, options: WaitForRolloutOptions): Promise<RolloutProgress> {
    return waitForRollout(this.k, environment, target, options);
  }

  waitForPodsReady(environment: string, labelSelector: string, options: WaitForPodsOptions): Promise<PodsReady> {
    return waitForPodsReady(this.k, environment, labelSelector, options);
  }

  async gatewayEndpoints(environment: string): Promise<GatewayEndpoints> {
    const namespace = namespaceFor(this.k.topology, environment);
    const { gateway } = this.k.topology;
    const name = gateway.service;
    const labelSelector = formatSelector(gateway.baseSelector) || undefined;
    const [endpoints, pods] = await Promise.all([
      this.k.requests.run({ verb: 'get', resource: 'endpoints', namespace, name }, (o) =>
        this.k.core.readNamespacedEndpoints({ name, namespace }, o),
      ),
      this.k.requests.run({ verb: 'list', resource: 'pods', namespace }, (o) =>
        this.k.core.listNamespacedPod({ namespace, labelSelector }, o),
      ),
    ]);
    const colourOf = new Map(
      pods.items.map((p) => [p.metadata?.name ?? '', p.metadata?.labels?.[gateway.selectorKey]]),
    );
    const subsets = endpoints.subsets ?? [];
    const addresses = subsets
      .flatMap((s) => s.addresses ?? [])
      .map((a): GatewayEndpoint => {
        const pod = a.targetRef?.kind === 'Pod' ? a.targetRef.name : undefined;
        const colour = pod ? colourOf.get(pod) : undefined;
        return { ip: a.ip, pod, colour: colour !== undefined && isColour(colour) ? colour : 'unknown' };
      });
    const colours: Record<Colour | 'unknown', number> = { blue: 0, green: 0, unknown: 0 };
    for (const a of addresses) colours[a.colour]++;
    const notReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
    return { service: name, ready: addresses.length, notReady, addresses, colours };
  }

  async listPods(environment: string, target: string): Promise<PodSummary[]> {
    const namespace = namespaceFor(this.k.topology, environment);
    const labelSelector = formatSelector(resolveTarget(this.k.topology, target).selector);
    const list = await this.k.requests.run({ verb: 'list', resource: 'pods', namespace }, (o) =>
      this.k.core.listNamespacedPod({ namespace, labelSelector }, o),
    );
    const now = this.k.now();
    return list.items.map((p) => summarisePod(p, now)).sort((a, b) => a.name.localeCompare(b.name));
  }

  podLogs(environment: string, target: string, options?: PodLogsOptions): Promise<PodLogs> {
    return podLogs(this.k, environment, target, options);
  }

  async recentEvents(environment: string, options: RecentEventsOptions): Promise<ClusterEvent[]> {
    const namespace = namespaceFor(this.k.topology, environment);
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new AppError('invalid_argument', `limit must be a whole number above 0 (got ${options.limit}).`);
    }
    const items = await this.eventsFor(namespace, options.involvedName, options.limit);
    return items
      .sort((a, b) => eventTime(b) - eventTime(a))
      .slice(0, options.limit)
      .map((e) => {
        const t = eventTime(e);
        return {
          type: e.type ?? 'Normal',
          reason: e.reason ?? '',
          message: e.message ?? '',
          object: `${e.involvedObject.kind ?? 'Object'}/${e.involvedObject.name ?? ''}`,
          count: e.count ?? 1,
          lastSeen: t > 0 ? new Date(t).toISOString() : undefined,
        };
      });
  }

  /**
   * Events filtered by the API server on the involved object, each query limited. A service's events
   * are those of its Deployment, its pods and their ReplicaSets (named by the pods' owner references).
   */
  private async eventsFor(namespace: string, involved: string | undefined, limit: number): Promise<CoreV1Event[]> {
    const { requests, core } = this.k;
    const query = (fieldSelector: string | undefined, max: number) =>
      requests
        .run({ verb: 'list', resource: 'events', namespace }, (o) =>
          core.listNamespacedEvent({ namespace, fieldSelector, limit: max }, o),
        )
        .then((l) => l.items);
    if (!involved) return query(undefined, Math.max(limit, NAMESPACE_EVENTS_PAGE));
    const target = allTargets(this.k.topology).find((t) => t.name === involved || t.deployment === involved);
    if (!target) return query(`involvedObject.name=${involved}`, limit);
    const labelSelector = formatSelector(target.selector);
    const pods = await requests.run({ verb: 'list', resource: 'pods', namespace }, (o) =>
      core.listNamespacedPod({ namespace, labelSelector }, o),
    );
    const names = new Set([target.deployment]);
    for (const pod of pods.items) {
      names.add(pod.metadata?.name ?? '');
      for (const owner of pod.metadata?.ownerReferences ?? []) names.add(owner.name);
    }
    names.delete('');
    const lists = await Promise.all(
      [...names]
        .slice(0, MAX_EVENT_OBJECTS)
        .map((name) => query(`involvedObject.name=${name}`, Math.max(limit, PER_OBJECT_EVENTS))),
    );
    return lists.flat();
  }

  async accessReview(
    environment: string,
    checks: AccessCheck[],
    options: AccessReviewOptions = {},
  ): Promise<AccessResult[]> {
    const namespace = namespaceFor(this.k.topology, environment);
    return Promise.all(
      checks.map(async (check): Promise<AccessResult> => {
        const group = check.group ?? API_GROUPS[check.resource] ?? '';
        const resourceAttributes = {
          ...(check.clusterWide ? {} : { namespace: check.namespace ?? namespace }),
          verb: check.verb,
          group,
          resource: check.resource,
          ...(check.subresource ? { subresource: check.subresource } : {}),
          ...(check.name ? { name: check.name } : {}),
        };
        // Sent as `options.as`, the review answers for that identity, as `kubectl auth can-i --as` does.
        const review = await this.k.requests.run(
          { verb: 'create', resource: 'selfsubjectaccessreviews' },
          (o) =>
            this.k.authz.createSelfSubjectAccessReview(
              {
                body: {
                  apiVersion: 'authorization.k8s.io/v1',
                  kind: 'SelfSubjectAccessReview',
                  spec: { resourceAttributes },
                },
              },
              o,
            ),
          options.as ? { impersonate: options.as } : {},
        );
        const allowed = review.status?.allowed === true && review.status.denied !== true;
        // RBAC gives no reason for a denial: say what that means.
        const reason =
          review.status?.reason || review.status?.evaluationError || (allowed ? 'allowed' : 'no RBAC rule allows it');
        return { ...check, group, allowed, reason };
      }),
    );
  }

  runJob(environment: string, job: JobRequest, options?: RunJobOptions): Promise<JobOutcome> {
    return runJob(this.k, environment, job, options);
  }

  listJobs(environment: string, labelSelector: string): Promise<JobSummary[]> {
    return listJobs(this.k, environment, labelSelector);
  }

  cancelJob(environment: string, name: string, change: ChangeMeta): Promise<boolean> {
    return cancelJob(this.k, environment, name, change);
  }

  listCertificates(environment: string): Promise<CertificateStatus[]> {
    return listCertificates(this.k, environment);
  }

  createBackup(request: BackupRequest): Promise<VeleroStatus> {
    return createBackup(this.k, request);
  }

  getBackup(name: string): Promise<VeleroStatus | undefined> {
    return getVelero(this.k, 'Backup', name);
  }

  listBackups(labelSelector?: string): Promise<VeleroStatus[]> {
    return listVelero(this.k, 'Backup', labelSelector);
  }

  waitForBackup(name: string, options: WaitForVeleroOptions): Promise<VeleroStatus> {
    return waitForVelero(this.k, 'Backup', name, options);
  }

  createRestore(request: RestoreRequest): Promise<VeleroStatus> {
    return createRestore(this.k, request);
  }

  getRestore(name: string): Promise<VeleroStatus | undefined> {
    return getVelero(this.k, 'Restore', name);
  }

  waitForRestore(name: string, options: WaitForVeleroOptions): Promise<VeleroStatus> {
    return waitForVelero(this.k, 'Restore', name, options);
  }

  getStatefulSet(environment: string, name: string): Promise<StatefulSetStatus> {
    return getStatefulSet(this.k, environment, name);
  }

  scaleStatefulSet(environment: string, name: string, replicas: number, change: ChangeMeta): Promise<StatefulSetScale> {
    return scaleStatefulSet(this.k, environment, name, replicas, change);
  }

  setStatefulSetEnv(
    environment: string,
    name: string,
    container: string,
    env: Readonly<Record<string, string>>,
    change: ChangeMeta,
  ): Promise<{ changed: boolean }> {
    return setStatefulSetEnv(this.k, environment, name, container, env, change);
  }

  setServiceSelector(
    environment: string,
    service: string,
    selector: Readonly<Record<string, string>>,
    change: ChangeMeta,
  ): Promise<ServiceSelectorChange> {
    return setServiceSelector(this.k, environment, service, selector, change);
  }

  namespacePhase(name: string): Promise<string | undefined> {
    return namespacePhase(this.k, name);
  }

  deleteScratchNamespace(
    name: string,
    change: ChangeMeta,
    options: WaitForNamespaceOptions,
  ): Promise<NamespaceDeletion> {
    return deleteScratchNamespace(this.k, name, change, options);
  }

  getConfigMap(environment: string, name: string): Promise<ConfigMapSnapshot | undefined> {
    return getConfigMap(this.k, environment, name);
  }

  listConfigMaps(environment: string, labelSelector: string): Promise<ConfigMapSnapshot[]> {
    return listConfigMaps(this.k, environment, labelSelector);
  }

  putConfigMap(environment: string, write: ConfigMapWrite, change: ChangeMeta): Promise<ConfigMapWriteResult> {
    return putConfigMap(this.k, environment, write, change);
  }
}
