/**
 * What people look at: every deployment of an environment, the live colour, the gateway's endpoints
 * and a target's pods, in a constant number of requests each. The reads' table for KubeCluster also
 * takes the pod logs and events from their own modules.
 */
import { AppError } from '../app-error.ts';
import type {
  Colour,
  DeploymentReads,
  DeploymentSpec,
  DeploymentStatus,
  GatewayEndpoint,
  GatewayEndpoints,
  LiveColour,
  PodSummary,
} from './cluster.ts';
import { allTargets, formatSelector, isColour, namespaceFor, resolveTarget } from './cluster-targets.ts';
import { summariseDeployment } from './deployment-rollout.ts';
import type { KubeContext, KubeOperations } from './kube-context.ts';
import { previousOf } from './kube-colours.ts';
import { recentEvents } from './kube-events.ts';
import { podLogs } from './kube-pod-logs.ts';
import { summarisePod } from './pod-summary.ts';

export async function status(k: KubeContext, environment: string): Promise<DeploymentStatus[]> {
  const namespace = namespaceFor(k.topology, environment);
  const { requests, apps, core } = k;
  // Two list calls per namespace however many services there are.
  const [deployments, pods] = await Promise.all([
    requests.readAsSent({ verb: 'list', resource: 'deployments', namespace }, (o) =>
      apps.listNamespacedDeployment({ namespace }, o),
    ),
    requests.readAsSent({ verb: 'list', resource: 'pods', namespace }, (o) => core.listNamespacedPod({ namespace }, o)),
  ]);
  const targets = allTargets(k.topology);
  const order = new Map<string, number>();
  targets.forEach((t, i) => order.has(t.deployment) || order.set(t.deployment, i));
  const rank = (name: string) => order.get(name) ?? targets.length;
  return deployments.items
    .map((d) => summariseDeployment(d, pods.items, k.topology))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

export async function deploymentSpec(
  k: KubeContext,
  environment: string,
  name: string,
): Promise<DeploymentSpec | undefined> {
  const namespace = namespaceFor(k.topology, environment);
  try {
    const d = await k.requests.readAsSent({ verb: 'get', resource: 'deployments', namespace, name }, (o) =>
      k.apps.readNamespacedDeployment({ name, namespace }, o),
    );
    return {
      name,
      desired: d.spec?.replicas ?? 1,
      images: (d.spec?.template.spec?.containers ?? []).map((c) => c.image ?? ''),
    };
  } catch (error) {
    if (error instanceof AppError && error.code === 'cluster_not_found') return undefined;
    throw error;
  }
}

export async function liveColour(k: KubeContext, environment: string): Promise<LiveColour> {
  const namespace = namespaceFor(k.topology, environment);
  const name = k.topology.gateway.service;
  const service = await k.requests.readAsSent({ verb: 'get', resource: 'services', namespace, name }, (o) =>
    k.core.readNamespacedService({ name, namespace }, o),
  );
  const selector = { ...(service.spec?.selector ?? {}) };
  const value = selector[k.topology.gateway.selectorKey];
  const previous = previousOf(service.metadata?.annotations);
  return {
    colour: value !== undefined && isColour(value) ? value : 'unknown',
    selector,
    ...(previous ? { previous } : {}),
  };
}

export async function gatewayEndpoints(k: KubeContext, environment: string): Promise<GatewayEndpoints> {
  const namespace = namespaceFor(k.topology, environment);
  const { gateway } = k.topology;
  const name = gateway.service;
  const labelSelector = formatSelector(gateway.baseSelector) || undefined;
  const [endpoints, pods] = await Promise.all([
    k.requests.readAsSent({ verb: 'get', resource: 'endpoints', namespace, name }, (o) =>
      k.core.readNamespacedEndpoints({ name, namespace }, o),
    ),
    k.requests.readAsSent({ verb: 'list', resource: 'pods', namespace }, (o) =>
      k.core.listNamespacedPod({ namespace, labelSelector }, o),
    ),
  ]);
  const colourOf = new Map(pods.items.map((p) => [p.metadata?.name ?? '', p.metadata?.labels?.[gateway.selectorKey]]));
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

export async function listPods(k: KubeContext, environment: string, target: string): Promise<PodSummary[]> {
  const namespace = namespaceFor(k.topology, environment);
  const labelSelector = formatSelector(resolveTarget(k.topology, target).selector);
  const list = await k.requests.readAsSent({ verb: 'list', resource: 'pods', namespace }, (o) =>
    k.core.listNamespacedPod({ namespace, labelSelector }, o),
  );
  const now = k.now();
  return list.items.map((p) => summarisePod(p, now)).sort((a, b) => a.name.localeCompare(b.name));
}

export const readOperations: KubeOperations<DeploymentReads> = {
  status,
  deploymentSpec,
  liveColour,
  gatewayEndpoints,
  listPods,
  podLogs,
  recentEvents,
};
