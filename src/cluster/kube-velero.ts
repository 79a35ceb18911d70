/**
 * Velero `velero.io/v1` Backups and Restores through the custom-objects API: created idempotently
 * (the same name finds the object already there), read as a library-free status, and waited for until
 * a terminal phase. A PartiallyFailed backup is terminal but not `succeeded`.
 */
import { AppError } from '../app-error.ts';
import { changeAnnotations } from './change-annotations.ts';
import type { ChangeMeta, VeleroBackups } from './cluster.ts';
import type { KubeContext, KubeOperations } from './kube-context.ts';
import { poll } from './kube-waits.ts';
import {
  VELERO_TERMINAL_PHASES,
  type BackupRequest,
  type RestoreRequest,
  type VeleroStatus,
  type WaitForVeleroOptions,
} from './workload-types.ts';

const GROUP = 'velero.io';
const VERSION = 'v1';
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

type Kind = 'Backup' | 'Restore';
const plural = (kind: Kind) => (kind === 'Backup' ? 'backups' : 'restores');

interface VeleroObject {
  metadata?: { name?: string; labels?: Record<string, string>; creationTimestamp?: string };
  spec?: { includedNamespaces?: string[]; backupName?: string };
  status?: {
    phase?: string;
    progress?: { totalItems?: number; itemsBackedUp?: number; itemsRestored?: number };
    errors?: number;
    warnings?: number;
    validationErrors?: string[];
    failureReason?: string;
    startTimestamp?: string;
    completionTimestamp?: string;
    expiration?: string;
  };
}

function toStatus(kind: Kind, obj: VeleroObject): VeleroStatus {
  const st = obj.status ?? {};
  const phase = st.phase || 'New';
  const done = kind === 'Backup' ? st.progress?.itemsBackedUp : st.progress?.itemsRestored;
  return {
    kind,
    name: obj.metadata?.name ?? '',
    phase,
    terminal: VELERO_TERMINAL_PHASES.includes(phase),
    succeeded: phase === 'Completed',
    ...(st.progress?.totalItems !== undefined ? { totalItems: st.progress.totalItems } : {}),
    ...(done !== undefined ? { itemsDone: done } : {}),
    errors: st.errors ?? 0,
    warnings: st.warnings ?? 0,
    validationErrors: st.validationErrors ?? [],
    ...(st.failureReason ? { failureReason: st.failureReason } : {}),
    ...(obj.metadata?.creationTimestamp ? { createdAt: obj.metadata.creationTimestamp } : {}),
    ...(st.startTimestamp ? { startedAt: st.startTimestamp } : {}),
    ...(st.completionTimestamp ? { completedAt: st.completionTimestamp } : {}),
    ...(st.expiration ? { expiresAt: st.expiration } : {}),
    ...(obj.spec?.backupName ? { backupName: obj.spec.backupName } : {}),
    includedNamespaces: obj.spec?.includedNamespaces ?? [],
    labels: { ...(obj.metadata?.labels ?? {}) },
  };
}

function checkName(kind: Kind, name: string): void {
  if (!DNS_SUBDOMAIN.test(name) || name.length > 253) {
    throw new AppError(
      'invalid_name',
      `"${name}" is not a valid ${kind} name: use lower-case letters, digits, '-' and '.'.`,
    );
  }
}

export async function getVelero(k: KubeContext, kind: Kind, name: string): Promise<VeleroStatus | undefined> {
  const namespace = k.veleroNamespace;
  try {
    const obj = await k.requests.run({ verb: 'get', resource: plural(kind), namespace, name }, (o) =>
      k.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: plural(kind), name }, o),
    );
    return toStatus(kind, obj as VeleroObject);
  } catch (error) {
    if (error instanceof AppError && error.code === 'cluster_not_found') return undefined;
    throw error;
  }
}

export async function listVelero(k: KubeContext, kind: Kind, labelSelector?: string): Promise<VeleroStatus[]> {
  const namespace = k.veleroNamespace;
  const list = (await k.requests.run({ verb: 'list', resource: plural(kind), namespace }, (o) =>
    k.custom.listNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace, plural: plural(kind), labelSelector },
      o,
    ),
  )) as { items?: VeleroObject[] };
  return (list.items ?? [])
    .map((o) => toStatus(kind, o))
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

async function createVelero(
  k: KubeContext,
  kind: Kind,
  name: string,
  spec: Record<string, unknown>,
  labels: Readonly<Record<string, string>> | undefined,
  change: ChangeMeta,
): Promise<VeleroStatus> {
  checkName(kind, name);
  const namespace = k.veleroNamespace;
  const existing = await getVelero(k, kind, name);
  if (existing) return { ...existing, existed: true };
  const annotations = Object.fromEntries(
    Object.entries(changeAnnotations(change, new Date(k.now()))).filter((e): e is [string, string] => e[1] !== null),
  );
  const body = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind,
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'eafix-chatops', ...(labels ?? {}) },
      annotations,
    },
    spec,
  };
  try {
    const created = await k.requests.write(
      { verb: 'create', resource: plural(kind), namespace, name },
      (o) =>
        k.custom.createNamespacedCustomObject(
          { group: GROUP, version: VERSION, namespace, plural: plural(kind), body },
          o,
        ),
      { impersonate: change.impersonate },
    );
    k.logger.info({ namespace, kind, name, requestId: change.requestId }, 'velero object created');
    return toStatus(kind, created as VeleroObject);
  } catch (error) {
    if (!(error instanceof AppError) || (error.code !== 'cluster_conflict' && error.code !== 'cluster_write_unknown'))
      throw error;
    const after = await getVelero(k, kind, name);
    if (!after) throw error;
    return { ...after, existed: error.code === 'cluster_conflict' };
  }
}

export function createBackup(k: KubeContext, req: BackupRequest): Promise<VeleroStatus> {
  if (req.includedNamespaces.length === 0)
    throw new AppError('invalid_backup', 'A backup needs at least one namespace to include.');
  const spec = {
    includedNamespaces: [...req.includedNamespaces],
    ttl: req.ttl ?? '720h0m0s',
    ...(req.storageLocation ? { storageLocation: req.storageLocation } : {}),
    ...(req.snapshotVolumes !== undefined ? { snapshotVolumes: req.snapshotVolumes } : {}),
  };
  return createVelero(k, 'Backup', req.name, spec, req.labels, req.change);
}

export function createRestore(k: KubeContext, req: RestoreRequest): Promise<VeleroStatus> {
  checkName('Backup', req.backupName);
  const spec = {
    backupName: req.backupName,
    ...(req.includedNamespaces ? { includedNamespaces: [...req.includedNamespaces] } : {}),
    ...(req.namespaceMapping ? { namespaceMapping: { ...req.namespaceMapping } } : {}),
  };
  return createVelero(k, 'Restore', req.name, spec, req.labels, req.change);
}

/** Polls until the Backup/Restore reaches a terminal phase; reports each change of phase or progress. */
export async function waitForVelero(
  k: KubeContext,
  kind: Kind,
  name: string,
  opts: WaitForVeleroOptions,
): Promise<VeleroStatus> {
  let last = '';
  return poll({
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    pollIntervalMs: k.pollIntervalMs,
    check: async () => {
      const status = await getVelero(k, kind, name);
      if (!status)
        throw new AppError('velero_not_found', `There is no Velero ${kind} named ${name} in ${k.veleroNamespace}.`);
      const key = `${status.phase}|${status.itemsDone ?? ''}|${status.totalItems ?? ''}`;
      if (key !== last) opts.onProgress?.(status);
      last = key;
      return status.terminal ? status : undefined;
    },
    timedOut: (lastError) =>
      lastError ??
      new AppError(
        'velero_timeout',
        `The Velero ${kind} ${name} did not finish within ${Math.round(opts.timeoutMs / 1000)} s (last phase: ${last.split('|')[0] || 'unknown'}).`,
        { kind: 'upstream' },
      ),
  });
}

export const veleroOperations: KubeOperations<VeleroBackups> = {
  createBackup,
  getBackup: (k, name) => getVelero(k, 'Backup', name),
  listBackups: (k, labelSelector) => listVelero(k, 'Backup', labelSelector),
  waitForBackup: (k, name, options) => waitForVelero(k, 'Backup', name, options),
  createRestore,
  getRestore: (k, name) => getVelero(k, 'Restore', name),
  waitForRestore: (k, name, options) => waitForVelero(k, 'Restore', name, options),
};
