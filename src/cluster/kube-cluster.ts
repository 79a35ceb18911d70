/**
 * KubeCluster: the Cluster capability over @kubernetes/client-node 1.4. Reads live here; writes,
 * waits and logs are in their own modules and share a KubeContext.
 */
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';
import type { Topology } from '../config/topology.ts';
import type { Logger } from '../logger.ts';
import type {
  AccessCheck,
  AccessResult,
  ChangeMeta,
  Cluster,
  ClusterEvent,
  Colour,
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
import { summarisePod } from './pod-summary.ts';

export interface KubeClusterOptions {
  kubeConfig: KubeConfig;
  topology: Topology;
  logger: Logger;
  /** Bound on every single request (default 10 s). */
  requestTimeoutMs?: number;
  /** Pause between polls while waiting (default 1 s). */
  pollIntervalMs?: number;
  now?: () => number;
}

/** API groups of the resources the bot touches, for access reviews. */
const GROUPS: Record<string, string> = { deployments: 'apps', replicasets: 'apps', statefulsets: 'apps', daemonsets: 'apps' };

function eventTime(e: CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

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
      requests: new KubeRequests(server, options.requestTimeoutMs ?? 10_000, logger),
      topology: options.topology,
      logger,
      now: options.now ?? Date.now,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
    };
  }

  async status(environment: string): Promise<DeploymentStatus[]> {
    const namespace = namespaceFor(this.k.topology, environment);
    const { requests, apps, core } = this.k;
    // Two list calls per namespace however many services there are.
    const [deployments, pods] = await Promise.all([
      requests.run({ verb: 'list', resource: 'deployments', namespace }, (o) => apps.listNamespacedDeployment({ namespace }, o)),
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
    return { colour: value !== undefined && isColour(value) ? value : 'unknown', selector };
  }

  switchTraffic(environment: string, colour: Colour, change: ChangeMeta): Promise<TrafficSwitch> {
    return switchTraffic(this.k, environment, colour, change);
  }

  scale(environment: string, target: string, replicas: number, change: ChangeMeta, options: { isolate?: boolean } = {}): Promise<ScaleResult> {
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
      this.k.requests.run({ verb: 'get', resource: 'endpoints', namespace, name }, (o) => this.k.core.readNamespacedEndpoints({ name, namespace }, o)),
      this.k.requests.run({ verb: 'list', resource: 'pods', namespace }, (o) => this.k.core.listNamespacedPod({ namespace, labelSelector }, o)),
    ]);
    const colourOf = new Map(pods.items.map((p) => [p.metadata?.name ?? '', p.metadata?.labels?.[gateway.selectorKey]]));
    const subsets = endpoints.subsets ?? [];
    const addresses = subsets.flatMap((s) => s.addresses ?? []).map((a): GatewayEndpoint => {
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
    const list = await this.k.requests.run({ verb: 'list', resource: 'pods', namespace }, (o) => this.k.core.listNamespacedPod({ namespace, labelSelector }, o));
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
    const involved = options.involvedName;
    // A service name covers its deployment, replica sets and pods, which all start with its name.
    const target = involved ? allTargets(this.k.topology).find((t) => t.name === involved || t.deployment === involved) : undefined;
    const fieldSelector = involved && !target ? `involvedObject.name=${involved}` : undefined;
    const list = await this.k.requests.run({ verb: 'list', resource: 'events', namespace }, (o) =>
      this.k.core.listNamespacedEvent({ namespace, fieldSelector }, o),
    );
    const prefix = target?.deployment;
    return list.items
      .filter((e) => !prefix || e.involvedObject.name === prefix || (e.involvedObject.name ?? '').startsWith(`${prefix}-`))
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

  async accessReview(environment: string, checks: AccessCheck[]): Promise<AccessResult[]> {
    const namespace = namespaceFor(this.k.topology, environment);
    return Promise.all(
      checks.map(async (check): Promise<AccessResult> => {
        const group = check.group ?? GROUPS[check.resource] ?? '';
        const review = await this.k.requests.run({ verb: 'create', resource: 'selfsubjectaccessreviews' }, (o) =>
          this.k.authz.createSelfSubjectAccessReview(
            {
              body: {
                apiVersion: 'authorization.k8s.io/v1',
                kind: 'SelfSubjectAccessReview',
                spec: { resourceAttributes: { namespace, verb: check.verb, group, resource: check.resource, subresource: check.subresource } },
              },
            },
            o,
          ),
        );
        const allowed = review.status?.allowed === true && review.status.denied !== true;
        const reason = review.status?.reason || review.status?.evaluationError || (allowed ? 'allowed' : 'not allowed by any RBAC rule');
        return { ...check, group, allowed, reason };
      }),
    );
  }
}
