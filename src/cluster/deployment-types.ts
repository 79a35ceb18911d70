/**
 * Library-free shapes of deployments, pods, gateway endpoints, events and access reviews: what the
 * Cluster port's reads and writes take and answer. Part of the Cluster port (cluster.ts).
 */
import type { Colour } from '../config/topology.ts';

export interface ConditionSummary {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** kubectl's view of a rollout: `failed` is ProgressDeadlineExceeded on the observed generation. */
export type RolloutState = 'complete' | 'progressing' | 'failed';

/** A deployment as it is set (`spec`), not how it is doing. */
export interface DeploymentSpec {
  name: string;
  /** spec.replicas (Kubernetes' default 1 when unset). */
  desired: number;
  images: string[];
}

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
