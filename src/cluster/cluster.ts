/**
 * The narrow, library-free view of Kubernetes that handlers and steps use. Names are the ones people
 * type: environments and services from the topology, plus the gateway colours `blue` and `green`.
 * Every method validates those names against the topology before it makes any request.
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

export type { Colour };
export type * from './workload-types.ts';
export type * from './configmap-types.ts';
import type { ConfigMapSnapshot, ConfigMapWrite, ConfigMapWriteResult } from './configmap-types.ts';
export type { ChangeMeta } from './change-meta.ts';
import type { ChangeMeta } from './change-meta.ts';

export interface ConditionSummary {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** kubectl's view of a rollout: `failed` is ProgressDeadlineExceeded on the observed generation. */
export type RolloutState = 'complete' | 'progressing' | 'failed';

export interface DeploymentStatus {
  /** The Deployment's name, e.g. eafix-risk-manager. */
  name: string;
  /** Topology service name or 'blue'/'green'; undefined for deployments outside the topology. */
  service: string | undefined;
  desired: number;
  ready: number;
  updated: number;
  available: number;
  unavailable: number;
  images: string[];
  /** Sum of container restartCount over the deployment's pods. */
  restarts: number;
  rollout: RolloutState;
  /** True while kubectl would still be waiting (not complete, not failed). */
  rolloutInProgress: boolean;
  progressDeadlineExceeded: boolean;
  paused: boolean;
  /** kubectl's rollout status wording, e.g. "2 of 3 updated replicas are available". */
  rolloutMessage: string;
  conditions: ConditionSummary[];
}

export interface RolloutProgress {
  deployment: string;
  state: RolloutState;
  desired: number;
  updated: number;
  ready: number;
  available: number;
  message: string;
}

export interface LiveColour {
  colour: Colour | 'unknown';
  selector: Record<string, string>;
  /** The colour (and its version) traffic last moved away from, as the gateway Service records it. */
  previous?: { colour: Colour; version?: string } | undefined;
}

export interface ColourImageChange {
  deployment: string;
  fromImage: string;
  toImage: string;
  fromVersion: string | undefined;
  changed: boolean;
}

export interface TrafficSwitch {
  changed: boolean;
  from: Colour | 'unknown';
  to: Colour;
}

export interface ServiceSelectorChange {
  service: string;
  from: Record<string, string>;
  to: Record<string, string>;
  /** False when the selector already had those values (the change annotations are still written). */
  changed: boolean;
}

export interface ScaleResult {
  deployment: string;
  from: number;
  to: number;
  changed: boolean;
}

export interface RestartOptions {
  /**
   * The value written to `kubectl.kubernetes.io/restartedAt`. A step stores it before its first try,
   * so a resumed step finds it on the template and does not restart the pods a second time.
   */
  restartedAt?: string;
}

export interface RestartResult {
  deployment: string;
  restartedAt: string;
  changed: boolean;
}

export interface WaitForRolloutOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called whenever the rollout's counts or state change. */
  onProgress?: (progress: RolloutProgress) => void;
}

export interface WaitForPodsOptions {
  /** Pods that must be Ready; default: every matching pod, and at least one. */
  minReady?: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface PodSummary {
  name: string;
  phase: string;
  ready: boolean;
  /** kubectl's READY column, e.g. "1/1". */
  readyContainers: string;
  restarts: number;
  ageSeconds: number;
  node: string | undefined;
  /** Why a container is waiting: CrashLoopBackOff, ImagePullBackOff, ContainerCreating… */
  waitingReason: string | undefined;
  /** Why a container last terminated: Error, OOMKilled… */
  lastTerminationReason: string | undefined;
  /** kubectl's STATUS column: a waiting reason, Terminating, or the phase. */
  status: string;
  labels: Record<string, string>;
}

export interface PodsReady {
  ready: number;
  total: number;
  pods: PodSummary[];
}

export interface GatewayEndpoint {
  ip: string;
  pod: string | undefined;
  colour: Colour | 'unknown';
}

export interface GatewayEndpoints {
  service: string;
  /** Ready addresses: where traffic actually goes. */
  ready: number;
  notReady: number;
  addresses: GatewayEndpoint[];
  /** Ready addresses per colour of the pod behind them. */
  colours: Record<Colour | 'unknown', number>;
}

export interface PodLogsOptions {
  tailLines?: number;
  sinceSeconds?: number;
  /** Bound on the whole text (default 1 MB). */
  maxBytes?: number;
}

export interface PodLogs {
  text: string;
  pods: string[];
  truncated: boolean;
}

export interface RecentEventsOptions {
  /** A service or colour (its deployment, replica sets and pods), or any object's exact name. */
  involvedName?: string;
  limit: number;
}

export interface ClusterEvent {
  type: string;
  reason: string;
  message: string;
  /** e.g. "Pod/eafix-risk-manager-5d9c7-abcde" */
  object: string;
  count: number;
  /** ISO time of the last occurrence, when known. */
  lastSeen: string | undefined;
}

export interface AccessCheck {
  verb: string;
  resource: string;
  subresource?: string;
  /** API group; inferred for the resources the bot uses (deployments → apps). */
  group?: string;
  /** One object (e.g. the user for `impersonate users`). */
  name?: string;
  /** Another namespace than the environment's (e.g. a service account's, for `impersonate serviceaccounts`). */
  namespace?: string;
  /** Asked without a namespace, as Kubernetes checks impersonation and other cluster-scoped rights. */
  clusterWide?: boolean;
}

export interface AccessReviewOptions {
  /** Ask as this identity (the review is sent impersonating it), to learn what it may do. */
  as?: { user: string; groups: string[] };
}

export interface AccessResult extends AccessCheck {
  allowed: boolean;
  reason: string;
}

/** Reads may be served from a snapshot a second or two old (see shared-reads.ts) unless `fresh`. */
export interface ReadOptions {
  fresh?: boolean;
}

export interface Cluster {
  /** Every deployment of the environment, with restarts, in a constant number of requests. */
  status(environment: string, read?: ReadOptions): Promise<DeploymentStatus[]>;
  liveColour(environment: string, read?: ReadOptions): Promise<LiveColour>;
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
  /** Resolves when kubectl would say "successfully rolled out"; rejects rollout_failed / rollout_timeout. */
  waitForRollout(environment: string, target: string, options: WaitForRolloutOptions): Promise<RolloutProgress>;
  /** Like `kubectl wait --for=condition=ready pod -l <selector>`. */
  waitForPodsReady(environment: string, labelSelector: string, options: WaitForPodsOptions): Promise<PodsReady>;
  gatewayEndpoints(environment: string): Promise<GatewayEndpoints>;
  listPods(environment: string, target: string): Promise<PodSummary[]>;
  podLogs(environment: string, target: string, options?: PodLogsOptions): Promise<PodLogs>;
  recentEvents(environment: string, options: RecentEventsOptions): Promise<ClusterEvent[]>;
  accessReview(environment: string, checks: AccessCheck[], options?: AccessReviewOptions): Promise<AccessResult[]>;

  /**
   * Runs a platform command as a batch/v1 Job in the environment's namespace and waits for it. The
   * Job's name is the idempotency key: a resumed step re-attaches to the Job already there. Resolves
   * with the outcome (exit code, log tail, structured result) whether the command succeeded or not.
   */
  runJob(environment: string, job: JobRequest, options?: RunJobOptions): Promise<JobOutcome>;
  listJobs(environment: string, labelSelector: string): Promise<JobSummary[]>;
  /** Deletes a Job and its pods; false when it was already gone. */
  cancelJob(environment: string, name: string, change: ChangeMeta): Promise<boolean>;

  /** cert-manager Certificates in the environment's namespace, soonest expiry first. */
  listCertificates(environment: string): Promise<CertificateStatus[]>;
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

  /** Sets these selector keys of a Service (e.g. `eafix-postgres` → `role: primary` after a promotion). */
  setServiceSelector(
    environment: string,
    service: string,
    selector: Readonly<Record<string, string>>,
    change: ChangeMeta,
  ): Promise<ServiceSelectorChange>;

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
  /** One ConfigMap of the environment's namespace; undefined when there is none. */
  getConfigMap(environment: string, name: string): Promise<ConfigMapSnapshot | undefined>;
  /** ConfigMaps matching a label selector (kept versions of a service's configuration). */
  listConfigMaps(environment: string, labelSelector: string): Promise<ConfigMapSnapshot[]>;
  /** Creates or replaces a ConfigMap's data with the change annotations; no write when it already matches. */
  putConfigMap(environment: string, write: ConfigMapWrite, change: ChangeMeta): Promise<ConfigMapWriteResult>;
}
