/**
 * The narrow, library-free view of Kubernetes that handlers and steps use. Names are the ones people
 * type: environments and services from the topology, plus the gateway colours `blue` and `green`.
 * Every method validates those names against the topology before it makes any request.
 *
 * The port is a set of role interfaces, each implemented by one kube-*.ts module (see kube-cluster.ts);
 * the wrappers (lazy, routed, shared reads, unconfigured) forward every operation generically
 * (cluster-operations.ts), so a new operation is written in its role here and in its module there.
 */
import type { Colour } from '../config/topology.ts';
import type {
  BackupRequest,
  CertificateStatus,
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
} from './workload-types.ts';
import type {
  AccessCheck,
  AccessResult,
  AccessReviewOptions,
  ClusterEvent,
  ColourImageChange,
  DeploymentStatus,
  GatewayEndpoints,
  LiveColour,
  DeploymentSpec,
  PodLogs,
  PodLogsOptions,
  PodsReady,
  PodSummary,
  ReadOptions,
  RecentEventsOptions,
  RestartOptions,
  RestartResult,
  RolloutProgress,
  ScaleResult,
  ServiceSelectorChange,
  TrafficSwitch,
  WaitForPodsOptions,
  WaitForRolloutOptions,
} from './deployment-types.ts';

export type { Colour };
export type * from './deployment-types.ts';
export type * from './workload-types.ts';
export type * from './configmap-types.ts';
import type { ConfigMapSnapshot, ConfigMapWrite, ConfigMapWriteResult } from './configmap-types.ts';
export type { ChangeMeta } from './change-meta.ts';
import type { ChangeMeta } from './change-meta.ts';

/** What people look at: deployments, the live colour, the gateway's endpoints, pods, logs and events. */
export interface DeploymentReads {
  /** Every deployment of the environment, with restarts, in a constant number of requests. */
  status(environment: string, read?: ReadOptions): Promise<DeploymentStatus[]>;
  /**
   * What one deployment is set to run, in one request and without listing pods (a plan that needs only
   * this should not list every pod of the namespace); undefined when it does not exist. Always fresh.
   */
  deploymentSpec(environment: string, deployment: string): Promise<DeploymentSpec | undefined>;
  liveColour(environment: string, read?: ReadOptions): Promise<LiveColour>;
  gatewayEndpoints(environment: string): Promise<GatewayEndpoints>;
  listPods(environment: string, target: string): Promise<PodSummary[]>;
  podLogs(environment: string, target: string, options?: PodLogsOptions): Promise<PodLogs>;
  recentEvents(environment: string, options: RecentEventsOptions): Promise<ClusterEvent[]>;
}

/** Changes to deployments and the gateway, each with its recorded change cause. */
export interface DeploymentChanges {
  /**
   * Points the gateway at `colour`; no write when it already does. The Service then records the colour
   * (and version) it switched away from, so a rollback knows where to return.
   */
  switchTraffic(environment: string, colour: Colour, change: ChangeMeta): Promise<TrafficSwitch>;
  /** Sets a colour's image and version (deploy to the idle colour), with a recorded change cause. */
  setColourImage(
    environment: string,
    colour: Colour,
    target: { image: string; version: string },
    change: ChangeMeta,
  ): Promise<ColourImageChange>;
  /** `target` is a service, a colour, or a deployment name; replicas are checked against the topology. */
  /** `isolate`: scale to zero below the topology's minimum (security containment). */
  scale(
    environment: string,
    target: string,
    replicas: number,
    change: ChangeMeta,
    options?: { isolate?: boolean },
  ): Promise<ScaleResult>;
  /** kubectl rollout restart; idempotent for a given `restartedAt`. */
  restart(environment: string, target: string, change: ChangeMeta, options?: RestartOptions): Promise<RestartResult>;
}

export interface DeploymentWaits {
  /** Resolves when kubectl would say "successfully rolled out"; rejects rollout_failed / rollout_timeout. */
  waitForRollout(environment: string, target: string, options: WaitForRolloutOptions): Promise<RolloutProgress>;
  /** Like `kubectl wait --for=condition=ready pod -l <selector>`. */
  waitForPodsReady(environment: string, labelSelector: string, options: WaitForPodsOptions): Promise<PodsReady>;
}

export interface AccessReviews {
  accessReview(environment: string, checks: AccessCheck[], options?: AccessReviewOptions): Promise<AccessResult[]>;
}

export interface PlatformJobs {
  /**
   * Runs a platform command as a batch/v1 Job in the environment's namespace and waits for it. The
   * Job's name is the idempotency key: a resumed step re-attaches to the Job already there. Resolves
   * with the outcome (exit code, log tail, structured result) whether the command succeeded or not.
   */
  runJob(environment: string, job: JobRequest, options?: RunJobOptions): Promise<JobOutcome>;
  listJobs(environment: string, labelSelector: string): Promise<JobSummary[]>;
  /** Deletes a Job and its pods; false when it was already gone. */
  cancelJob(environment: string, name: string, change: ChangeMeta): Promise<boolean>;
}

export interface ClusterCertificates {
  /** cert-manager Certificates in the environment's namespace, soonest expiry first. */
  listCertificates(environment: string): Promise<CertificateStatus[]>;
}

export interface StatefulSets {
  getStatefulSet(environment: string, name: string): Promise<StatefulSetStatus>;
  scaleStatefulSet(environment: string, name: string, replicas: number, change: ChangeMeta): Promise<StatefulSetScale>;
  /** Sets env values of one container of the StatefulSet's template (e.g. POSTGRES_ROLE=primary). */
  setStatefulSetEnv(
    environment: string,
    name: string,
    container: string,
    env: Readonly<Record<string, string>>,
    change: ChangeMeta,
  ): Promise<{ changed: boolean }>;
}

export interface ServiceSelectors {
  /** Sets these selector keys of a Service (e.g. `eafix-postgres` → `role: primary` after a promotion). */
  setServiceSelector(
    environment: string,
    service: string,
    selector: Readonly<Record<string, string>>,
    change: ChangeMeta,
  ): Promise<ServiceSelectorChange>;
}

export interface ConfigMaps {
  /** One ConfigMap of the environment's namespace; undefined when there is none. */
  getConfigMap(environment: string, name: string): Promise<ConfigMapSnapshot | undefined>;
  /** ConfigMaps matching a label selector (kept versions of a service's configuration). */
  listConfigMaps(environment: string, labelSelector: string): Promise<ConfigMapSnapshot[]>;
  /** Creates or replaces a ConfigMap's data with the change annotations; no write when it already matches. */
  putConfigMap(environment: string, write: ConfigMapWrite, change: ChangeMeta): Promise<ConfigMapWriteResult>;
}

/** Velero's Backups and Restores: they live in Velero's namespace, not an environment's (site-wide). */
export interface VeleroBackups {
  /** Creates a Velero Backup, or returns the one of that name already there (`existed`). */
  createBackup(request: BackupRequest): Promise<VeleroStatus>;
  getBackup(name: string): Promise<VeleroStatus | undefined>;
  /** Newest first. */
  listBackups(labelSelector?: string): Promise<VeleroStatus[]>;
  /** Resolves at a terminal phase (Completed, PartiallyFailed, Failed, FailedValidation). */
  waitForBackup(name: string, options: WaitForVeleroOptions): Promise<VeleroStatus>;
  createRestore(request: RestoreRequest): Promise<VeleroStatus>;
  getRestore(name: string): Promise<VeleroStatus | undefined>;
  waitForRestore(name: string, options: WaitForVeleroOptions): Promise<VeleroStatus>;
}

/** Scratch namespaces (restore checks, drills): cluster-scoped, not an environment's (site-wide). */
export interface ScratchNamespaces {
  /** A namespace's phase (Active, Terminating), or undefined when it does not exist. */
  namespacePhase(name: string): Promise<string | undefined>;
  /**
   * Deletes a scratch namespace (SCRATCH_NAMESPACES only: never an environment's) and waits until
   * Kubernetes has finalised it.
   */
  deleteScratchNamespace(
    name: string,
    change: ChangeMeta,
    options: WaitForNamespaceOptions,
  ): Promise<NamespaceDeletion>;
}

/**
 * Operations whose first argument is not an environment: they go to the bot's own cluster, never to an
 * environment's site (routed-cluster.ts). Every other operation takes the environment first.
 */
export type SiteWideOperations = VeleroBackups & ScratchNamespaces;

export interface Cluster
  extends
    DeploymentReads,
    DeploymentChanges,
    DeploymentWaits,
    AccessReviews,
    PlatformJobs,
    ClusterCertificates,
    StatefulSets,
    ServiceSelectors,
    ConfigMaps,
    VeleroBackups,
    ScratchNamespaces {}
