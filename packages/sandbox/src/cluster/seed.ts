/**
 * Initial cluster state for each environment: namespaces, the service
 * Deployments, blue/green gateway Deployments (live colour scaled up, the
 * other at 0), their Services, and ready Pods that have been up for a while.
 */
import type { Colour, Topology } from '../bot.ts';
import type { Controller } from './controller.ts';
import type { Store } from './store.ts';
import type { Deployment, K8sObject, Labels, Service } from './types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Seeded pods started this long ago, so `logs --since=10m` has content. */
export const SEEDED_POD_AGE_MS = 2 * 60 * 60 * 1000;
const GATEWAY_IMAGE = 'registry.eafix.local/eafix/gateway';

export interface SeedOptions {
  topology: Topology;
  environments: string[];
  liveColour: Colour;
  now: number;
}

function deployment(
  ns: string,
  name: string,
  labels: Labels,
  replicas: number,
  container: string,
  image: string,
  now: number,
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: ns,
      generation: 1,
      creationTimestamp: new Date(now - 30 * DAY_MS).toISOString(),
      labels: { ...labels, 'app.kubernetes.io/part-of': 'eafix', 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: {
        'deployment.kubernetes.io/revision': '1',
        'meta.helm.sh/release-name': 'eafix',
        'meta.helm.sh/release-namespace': ns,
      },
    },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: container,
              image,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              readinessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, periodSeconds: 5 },
            },
          ],
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      minReadySeconds: 0,
    },
  };
}

function service(ns: string, name: string, selector: Labels, now: number, ip: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: ns,
      creationTimestamp: new Date(now - 30 * DAY_MS).toISOString(),
      labels: { app: selector.app ?? name, 'app.kubernetes.io/part-of': 'eafix' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: ip,
      clusterIPs: [ip],
      selector,
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      sessionAffinity: 'None',
    },
    status: { loadBalancer: {} },
  };
}

export function seedCluster(store: Store, controller: Controller, opts: SeedOptions): void {
  const { topology, now } = opts;
  let ipIndex = 10;
  const nextIp = () => `10.96.${Math.floor(ipIndex / 250)}.${ipIndex++ % 250}`;
  for (const env of opts.environments) {
    const ns = topology.environments[env]?.namespace;
    if (!ns) throw new Error(`unknown environment "${env}" (known: ${Object.keys(topology.environments).join(', ')})`);
    const namespace: K8sObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: { 'kubernetes.io/metadata.name': ns, 'eafix.io/environment': env },
        creationTimestamp: new Date(now - 90 * DAY_MS).toISOString(),
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    store.create('namespaces', namespace);

    const created: Deployment[] = [];
    for (const colour of ['blue', 'green'] as const) {
      const spec = topology.colours[colour];
      const labels = { ...topology.gateway.baseSelector, [topology.gateway.selectorKey]: colour };
      const replicas = colour === opts.liveColour ? spec.replicas.default : 0;
      // The live colour runs the newer release: it is what was just deployed.
      const tag = colour === opts.liveColour ? '2.4.0' : '2.3.1';
      created.push(
        store.create(
          'deployments',
          deployment(ns, spec.deployment, labels, replicas, 'gateway', `${GATEWAY_IMAGE}:${tag}`, now),
        ),
      );
    }
    for (const svc of topology.services) {
      created.push(
        store.create(
          'deployments',
          deployment(ns, svc.deployment, { app: svc.appLabel }, svc.replicas.default, svc.name, svc.image, now),
        ),
      );
      store.create('services', service(ns, svc.deployment, { app: svc.appLabel }, now, nextIp()));
    }
    const gatewaySelector = { ...topology.gateway.baseSelector, [topology.gateway.selectorKey]: opts.liveColour };
    store.create('services', service(ns, topology.gateway.service, gatewaySelector, now, nextIp()));
    for (const d of created) controller.seed(d, SEEDED_POD_AGE_MS);
  }
}
