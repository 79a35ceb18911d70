/**
 * Library-free shapes for the platform Jobs, Velero backups/restores and StatefulSets the runbook's
 * procedures use (deploy, backups, database rollback, DR). Part of the Cluster port (cluster.ts).
 */
import type { ChangeMeta } from './change-meta.ts';

/** A platform command (`eafix-cli …`, `alembic upgrade head`) to run as a batch/v1 Job. */
export interface JobRequest {
  /**
   * Deterministic per step (see `platformJobName`): a resumed step asks for the same name and
   * re-attaches to the Job already there instead of running the command twice. A DNS label ≤ 63.
   */
  name: string;
  image: string;
  /** The argv, as an array of validated words: never a shell string. */
  command: readonly string[];
  serviceAccountName?: string;
  /** Extra pod and Job labels (run, step, requester…). */
  labels?: Readonly<Record<string, string>>;
  env?: Readonly<Record<string, string>>;
  /** Kubernetes kills the Job after this long (`activeDeadlineSeconds`). */
  activeDeadlineSeconds: number;
  /** The finished Job and its pod are deleted after this long; default 3600. */
  ttlSecondsAfterFinished?: number;
  resources?: { requests?: Readonly<Record<string, string>>; limits?: Readonly<Record<string, string>> };
  change: ChangeMeta;
}

export interface RunJobOptions {
  /** How long to wait for the Job to finish; default activeDeadlineSeconds + 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Log lines kept from the end; default 200. */
  tailLines?: number;
  /** Byte bound on the kept log; default 256 kB. */
  maxLogBytes?: number;
  /** Told once when the Job is created or found, with `attached` true for a Job that already existed. */
  onStarted?: (job: { name: string; namespace: string; attached: boolean }) => void;
}

export interface JobOutcome {
  name: string;
  namespace: string;
  succeeded: boolean;
  /** The Failed condition's reason: BackoffLimitExceeded, DeadlineExceeded… */
  reason?: string;
  message?: string;
  /** The container's exit code; undefined when the pod was removed before it ended (deadline). */
  exitCode: number | undefined;
  /** True when the Job already existed (a resumed step) and was waited for, not created. */
  attached: boolean;
  pod: string | undefined;
  /** The end of the container's output (stdout and stderr as the kubelet keeps them). */
  log: string;
  logTruncated: boolean;
  /** The last stdout line when it is a JSON object: the command's structured result. */
  result: Record<string, unknown> | undefined;
  startedAt?: string;
  finishedAt?: string;
}

export interface JobSummary {
  name: string;
  namespace: string;
  state: 'running' | 'succeeded' | 'failed';
  reason?: string;
  labels: Record<string, string>;
  createdAt?: string;
  finishedAt?: string;
}

export type VeleroPhase =
  'New' | 'FailedValidation' | 'InProgress' | 'Completed' | 'PartiallyFailed' | 'Failed' | (string & {});

/** Phases after which a Backup or Restore does not change any more. */
export const VELERO_TERMINAL_PHASES: readonly string[] = ['Completed', 'PartiallyFailed', 'Failed', 'FailedValidation'];

export interface BackupRequest {
  name: string;
  includedNamespaces: readonly string[];
  /** Go duration, e.g. `720h0m0s` (Velero's default). */
  ttl?: string;
  storageLocation?: string;
  snapshotVolumes?: boolean;
  labels?: Readonly<Record<string, string>>;
  change: ChangeMeta;
}

export interface RestoreRequest {
  name: string;
  backupName: string;
  includedNamespaces?: readonly string[];
  /** Restore into other namespaces, e.g. `{ 'eafix-production': 'eafix-restore-test' }`. */
  namespaceMapping?: Readonly<Record<string, string>>;
  labels?: Readonly<Record<string, string>>;
  change: ChangeMeta;
}

export interface VeleroStatus {
  kind: 'Backup' | 'Restore';
  name: string;
  /** `New` for an object Velero has not picked up yet. */
  phase: VeleroPhase;
  /** Completed, PartiallyFailed, Failed or FailedValidation. */
  terminal: boolean;
  /** Only `Completed`: a PartiallyFailed backup is not a good backup. */
  succeeded: boolean;
  totalItems?: number;
  /** itemsBackedUp (Backup) or itemsRestored (Restore). */
  itemsDone?: number;
  errors: number;
  warnings: number;
  validationErrors: string[];
  failureReason?: string;
  createdAt?: string;
  startedAt?: string;
  completedAt?: string;
  /** Backups: when Velero deletes it (from spec.ttl). */
  expiresAt?: string;
  /** Restores: the backup restored from. */
  backupName?: string;
  includedNamespaces: string[];
  labels: Record<string, string>;
  /** True when `create…` found the object already there (a resumed step). */
  existed?: boolean;
}

export interface WaitForVeleroOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (status: VeleroStatus) => void;
}

export interface StatefulSetStatus {
  name: string;
  desired: number;
  replicas: number;
  ready: number;
  updated: number;
  currentRevision?: string;
  updateRevision?: string;
  /** True when every desired replica runs the update revision and is ready. */
  rolledOut: boolean;
  images: string[];
  /** Each container's plain `env` values, by container name. */
  env: Record<string, Record<string, string>>;
}

export interface StatefulSetScale {
  name: string;
  from: number;
  to: number;
  changed: boolean;
}

/** A cert-manager Certificate as the security checklist and certificate checks read it. */
export interface CertificateStatus {
  name: string;
  namespace: string;
  secretName: string;
  dnsNames: string[];
  ready: boolean;
  /** The Ready condition's message, when cert-manager gives one. */
  message?: string;
  notAfter?: Date;
  renewalTime?: Date;
}

/** Namespaces the bot creates through a Velero restore and deletes afterwards: the only ones it may delete. */
export const SCRATCH_NAMESPACES = ['eafix-restore-test', 'eafix-dr-drill'] as const;
export type ScratchNamespace = (typeof SCRATCH_NAMESPACES)[number];

export interface WaitForNamespaceOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface NamespaceDeletion {
  name: string;
  /** False when there was no such namespace (nothing to delete). */
  existed: boolean;
}
