/**
 * The controllers added beside the Deployment controller: Jobs (running scriptable commands against
 * the simulated platform), StatefulSets, Velero, deletion and namespace finalisation. One object the
 * simulator ticks and the routes call; also seeds the runbook's PostgreSQL StatefulSets and Velero.
 */
import { CommandBehaviours } from './command-behaviours.ts';
import { Deletion } from './deletion.ts';
import { registerEafixCliDefaults } from './eafix-cli-behaviours.ts';
import type { EventRecorder } from './events.ts';
import type { IdGenerator } from './ids.ts';
import { JobController } from './job-controller.ts';
import { jobPodLogLines, jobPodStage, type JobPodStage } from './job-pods.ts';
import type { Kubelet } from './kubelet.ts';
import type { LogLine } from './logs.ts';
import { Platform } from './platform-state.ts';
import type { ResourceRegistry } from './registry.ts';
import type { Propagation } from './routes/delete.ts';
import type { ResourceDef } from './routes/deps.ts';
import { StatefulSetController, type StatefulSet } from './statefulset-controller.ts';
import type { Store } from './store.ts';
import type { Timing } from './timing.ts';
import type { K8sObject, Service } from './types.ts';
import { VELERO_CRDS, VELERO_NAMESPACE, VeleroController } from './velero.ts';
import { PostgresFailover } from './postgres-failover.ts';

const DAY_MS = 24 * 3600 * 1000;
export const POSTGRES_IMAGE = 'registry.eafix.local/eafix/postgres:16.4';

function postgresStatefulSet(
  ns: string,
  name: string,
  role: 'primary' | 'replica',
  replicas: number,
  now: number,
): StatefulSet {
  const labels = { app: 'eafix-postgres', role };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: ns,
      labels: { ...labels, 'app.kubernetes.io/part-of': 'eafix' },
      generation: 1,
      creationTimestamp: new Date(now - 90 * DAY_MS).toISOString(),
    },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'postgres',
              image: POSTGRES_IMAGE,
              env: [{ name: 'POSTGRES_ROLE', value: role }],
              ports: [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }],
            },
          ],
        },
      },
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
    },
  };
}

export class Workloads {
  readonly behaviours = new CommandBehaviours();
  readonly platform = new Platform();
  readonly jobs: JobController;
  readonly statefulSets: StatefulSetController;
  readonly velero: VeleroController;
  /** `failPrimary(namespace)`: the runbook's primary database failure, healed by a failover. */
  readonly postgres: PostgresFailover;
  private readonly deletion: Deletion;

  constructor(
    private readonly store: Store,
    kubelet: Kubelet,
    events: EventRecorder,
    ids: IdGenerator,
    timing: Timing,
    private readonly clock: () => number,
    private readonly registry: ResourceRegistry,
  ) {
    registerEafixCliDefaults(this.behaviours);
    this.jobs = new JobController(store, events, ids, timing, this.behaviours, this.platform);
    this.statefulSets = new StatefulSetController(store, kubelet, events);
    this.velero = new VeleroController(store, timing, this.platform);
    this.postgres = new PostgresFailover(store, this.platform);
    this.deletion = new Deletion(store, kubelet, registry, timing);
  }

  tick(now: number): void {
    this.jobs.tick(now);
    this.statefulSets.tick(now);
    this.velero.tick(now);
    this.deletion.tick(now);
    this.postgres.tick();
  }

  remove(def: ResourceDef, obj: K8sObject, policy: Propagation): K8sObject | undefined {
    return this.deletion.remove(def, obj, policy, this.clock());
  }

  /** A Job pod's output so far and its stage; undefined for pods that do not run a Job command. */
  jobPodLogs(namespace: string, name: string): { stage: JobPodStage; lines: LogLine[] } | undefined {
    const run = this.jobs.runs.get(`${namespace}/${name}`);
    if (!run) return undefined;
    const now = this.clock();
    return { stage: jobPodStage(run, now), lines: jobPodLogLines(run, now) };
  }

  /** The Velero CRDs, served, and the `velero` namespace their objects live in. */
  installVelero(now: number): void {
    if (!this.store.has('namespaces', undefined, VELERO_NAMESPACE)) {
      this.store.create('namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: VELERO_NAMESPACE,
          labels: { 'kubernetes.io/metadata.name': VELERO_NAMESPACE },
          creationTimestamp: new Date(now - 90 * DAY_MS).toISOString(),
        },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    }
    for (const crd of VELERO_CRDS) {
      this.registry.register(crd);
      const at = new Date(now - 90 * DAY_MS).toISOString();
      this.store.create('customresourcedefinitions', {
        ...structuredClone(crd),
        metadata: { ...crd.metadata, generation: 1, creationTimestamp: at },
        status: {
          conditions: [
            {
              type: 'Established',
              status: 'True',
              reason: 'InitialNamesAccepted',
              message: 'the initial names have been accepted',
              lastTransitionTime: at,
            },
          ],
          acceptedNames: crd.spec.names,
          storedVersions: ['v1'],
        },
      });
    }
  }

  /** The runbook's database: a primary and a read replica StatefulSet, and the `eafix-postgres` Service on the primary. */
  seedPostgres(ns: string, now: number, ageMs: number, serviceIp: string): void {
    for (const [name, role, replicas] of [
      ['eafix-postgres', 'primary', 1],
      ['eafix-postgres-replica', 'replica', 2],
    ] as const) {
      const sts = this.store.create('statefulsets', postgresStatefulSet(ns, name, role, replicas, now));
      this.statefulSets.seed(sts, now, ageMs);
    }
    const service: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'eafix-postgres',
        namespace: ns,
        labels: { app: 'eafix-postgres' },
        creationTimestamp: new Date(now - 90 * DAY_MS).toISOString(),
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: serviceIp,
        clusterIPs: [serviceIp],
        selector: { app: 'eafix-postgres', role: 'primary' },
        ports: [{ name: 'postgres', port: 5432, targetPort: 5432, protocol: 'TCP' }],
        sessionAffinity: 'None',
      },
      status: { loadBalancer: {} },
    };
    this.store.create('services', service);
  }
}
