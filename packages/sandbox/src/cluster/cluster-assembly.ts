import type { Topology } from '../bot.ts';
import { AccessControl } from './access.ts';
import { installCertManager } from './cert-manager.ts';
import type { ClusterSimulatorOptions } from './cluster-options.ts';
import { Controller } from './controller.ts';
import { EventRecorder } from './events.ts';
import { Failures } from './failures.ts';
import { IdGenerator } from './ids.ts';
import { Kubelet } from './kubelet.ts';
import { ResourceRegistry } from './registry.ts';
import type { ApiDeps } from './routes/deps.ts';
import { SEEDED_POD_AGE_MS, seedCluster } from './seed.ts';
import { ApiServer } from './server.ts';
import { Store } from './store.ts';
import type { Timing } from './timing.ts';
import { generateClusterTls, type ClusterTls } from './tls.ts';
import { Workloads } from './workloads.ts';

/** The simulator's working parts, wired to one store and one clock. */
export interface ClusterParts {
  store: Store;
  failures: Failures;
  access: AccessControl;
  kubelet: Kubelet;
  controller: Controller;
  registry: ResourceRegistry;
  workloads: Workloads;
  server: ApiServer;
  tls: ClusterTls | undefined;
}

/** The namespace of one of the topology's environments. */
export function namespaceOf(topology: Topology, environment: string): string {
  const ns = topology.environments[environment]?.namespace;
  if (!ns) throw new Error(`unknown environment "${environment}"`);
  return ns;
}

/** Builds the store, controllers and API server (not yet listening) over `clock`. */
export function assembleCluster(opts: ClusterSimulatorOptions, timing: Timing, clock: () => number): ClusterParts {
  const ids = new IdGenerator();
  const store = new Store(ids, clock);
  const failures = new Failures();
  const access = new AccessControl();
  const events = new EventRecorder(store, ids, clock);
  const kubelet = new Kubelet(store, events, failures, ids, timing);
  const controller = new Controller(store, kubelet, events, failures, ids, timing, clock);
  const registry = new ResourceRegistry();
  const workloads = new Workloads(store, kubelet, events, ids, timing, clock, registry);
  const deps: ApiDeps = { store, kubelet, access, timing, clock, ids, registry, workloads, watches: new Set() };
  const tls = opts.tls ? generateClusterTls(clock()) : undefined;
  const server = new ApiServer(deps, failures, opts.token, tls);
  return { store, failures, access, kubelet, controller, registry, workloads, server, tls };
}

/**
 * The starting state: each environment's services and blue/green gateways, its PostgreSQL StatefulSets
 * and Velero unless turned off, and cert-manager's Certificates.
 */
export function seedStartingState(parts: ClusterParts, opts: ClusterSimulatorOptions, now: () => number): void {
  const environments = opts.environments ?? Object.keys(opts.topology.environments);
  seedCluster(parts.store, parts.controller, {
    topology: opts.topology,
    environments,
    liveColour: opts.liveColour ?? 'green',
    now: now(),
  });
  if (opts.postgres !== false) {
    environments.forEach((env, i) =>
      parts.workloads.seedPostgres(namespaceOf(opts.topology, env), now(), SEEDED_POD_AGE_MS, `10.96.9.${10 + i}`),
    );
  }
  if (opts.velero !== false) parts.workloads.installVelero(now());
  installCertManager(
    parts.store,
    parts.registry,
    environments.map((env) => namespaceOf(opts.topology, env)),
    now(),
  );
}
