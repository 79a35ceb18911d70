/**
 * Velero in the simulator: the `velero.io/v1` Backup and Restore CRDs installed in a `velero`
 * namespace, and their controllers moving each through New → InProgress → Completed (or
 * PartiallyFailed / Failed / FailedValidation) in simulated time, with `status.progress`,
 * start/completion timestamps, `expiration` from `spec.ttl`, error and warning counts. A Backup
 * captures its namespaces' Deployments, Services and StatefulSets; a Restore recreates them (through
 * `namespaceMapping` when given) so a restored namespace really comes up. Failures are injectable.
 */
import type { Platform } from './platform-state.ts';
import type { Crd } from './registry.ts';
import type { Store } from './store.ts';
import type { Timing } from './timing.ts';
import type { K8sObject } from './types.ts';

export const VELERO_NAMESPACE = 'velero';
const BACKUPS = 'backups.velero.io';
const RESTORES = 'restores.velero.io';
const CAPTURED = ['deployments', 'services', 'statefulsets'] as const;
const DEFAULT_TTL_MS = 720 * 3600 * 1000;

export interface VeleroFailure {
  /** The final phase instead of Completed. */
  phase: 'PartiallyFailed' | 'Failed';
  errors?: number;
  warnings?: number;
  failureReason?: string;
  /** Only the Backup/Restore with this name; default the next one to finish. */
  name?: string;
}

function crd(plural: string, kind: string): Crd {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.velero.io`, labels: { component: 'velero' } },
    spec: {
      group: 'velero.io',
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

export const VELERO_CRDS: readonly Crd[] = [crd('backups', 'Backup'), crd('restores', 'Restore')];

/** Go's time.ParseDuration for the units Velero TTLs use (`720h0m0s`, `24h`, `90m`). */
export function parseGoDuration(text: string): number | undefined {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let consumed = '';
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (units[m[2] ?? 's'] ?? 0);
    consumed += m[0];
  }
  return consumed === text && text !== '' ? total : undefined;
}

interface Run {
  total: number;
  startedAt: number;
}

const iso = (t: number) => new Date(t).toISOString();

export class VeleroController {
  private readonly snapshots = new Map<string, K8sObject[]>();
  private readonly runs = new Map<string, Run>();
  private readonly failures: { kind: 'backup' | 'restore'; failure: VeleroFailure }[] = [];

  constructor(
    private readonly store: Store,
    private readonly timing: Timing,
    private readonly platform: Platform,
  ) {}

  injectFailure(kind: 'backup' | 'restore', failure: VeleroFailure): void {
    this.failures.push({ kind, failure });
  }

  private takeFailure(kind: 'backup' | 'restore', name: string): VeleroFailure | undefined {
    const i = this.failures.findIndex(
      (f) => f.kind === kind && (f.failure.name === undefined || f.failure.name === name),
    );
    return i < 0 ? undefined : this.failures.splice(i, 1)[0]?.failure;
  }

  tick(now: number): void {
    for (const b of this.store.list(BACKUPS)) this.step('backup', b, now);
    for (const r of this.store.list(RESTORES)) this.step('restore', r, now);
  }

  private namespacesOf(spec: Record<string, unknown>): string[] {
    const included = (spec.includedNamespaces as string[] | undefined) ?? ['*'];
    const excluded = new Set((spec.excludedNamespaces as string[] | undefined) ?? []);
    const all = this.store.list('namespaces').map((n) => n.metadata.name);
    return (included.includes('*') ? all : included.filter((n) => all.includes(n))).filter((n) => !excluded.has(n));
  }

  private capture(spec: Record<string, unknown>): K8sObject[] {
    return this.namespacesOf(spec).flatMap((ns) => CAPTURED.flatMap((kind) => this.store.list(kind, ns)));
  }

  private write(key: typeof BACKUPS | typeof RESTORES, obj: K8sObject, status: Record<string, unknown>): void {
    this.store.update(key, { ...obj, status });
  }

  private step(kind: 'backup' | 'restore', obj: K8sObject, now: number): void {
    const key = kind === 'backup' ? BACKUPS : RESTORES;
    const id = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}/${obj.metadata.uid ?? ''}`;
    const status = (obj.status ?? {}) as Record<string, unknown>;
    const spec = (obj.spec ?? {}) as Record<string, unknown>;
    const phase = status.phase as string | undefined;
    if (phase === undefined || phase === '') {
      this.write(key, obj, { phase: 'New' });
      return;
    }
    if (phase === 'New') {
      const errors = kind === 'restore' ? this.validateRestore(spec) : this.validateBackup(spec);
      if (errors.length > 0) {
        this.write(key, obj, {
          phase: 'FailedValidation',
          validationErrors: errors,
          ...(kind === 'backup' ? { version: 1, formatVersion: '1.1.0' } : {}),
        });
        return;
      }
      const total =
        kind === 'backup'
          ? this.capture(spec).length + this.namespacesOf(spec).length
          : (this.snapshots.get(String(spec.backupName)) ?? []).length;
      this.runs.set(id, { total, startedAt: now });
      const ttl = parseGoDuration(String(spec.ttl ?? '')) ?? DEFAULT_TTL_MS;
      this.write(
        key,
        obj,
        kind === 'backup'
          ? {
              version: 1,
              formatVersion: '1.1.0',
              expiration: iso(now + ttl),
              phase: 'InProgress',
              startTimestamp: iso(now),
              progress: { totalItems: total },
            }
          : { phase: 'InProgress', startTimestamp: iso(now), progress: { totalItems: total } },
      );
      return;
    }
    if (phase !== 'InProgress') return;
    const run = this.runs.get(id) ?? { total: 0, startedAt: Date.parse(String(status.startTimestamp ?? iso(now))) };
    this.runs.set(id, run);
    const done = Math.min(
      run.total,
      Math.floor((run.total * (now - run.startedAt)) / Math.max(1, this.timing.veleroRunMs)),
    );
    const progressKey = kind === 'backup' ? 'itemsBackedUp' : 'itemsRestored';
    if (now - run.startedAt < this.timing.veleroRunMs) {
      this.write(key, obj, {
        ...status,
        progress: { totalItems: run.total, ...(done ? { [progressKey]: done } : {}) },
      });
      return;
    }
    this.runs.delete(id);
    const failure = this.takeFailure(kind, obj.metadata.name);
    let warnings = failure?.warnings ?? 0;
    if (failure?.phase !== 'Failed') {
      if (kind === 'backup') this.snapshots.set(obj.metadata.name, structuredClone(this.capture(spec)));
      else warnings += this.restore(obj.metadata.name, spec);
    }
    const final = failure?.phase ?? 'Completed';
    const items = final === 'Failed' ? done : run.total;
    this.write(key, obj, {
      ...status,
      phase: final,
      completionTimestamp: iso(now),
      progress: { totalItems: run.total, ...(items ? { [progressKey]: items } : {}) },
      ...(final === 'PartiallyFailed'
        ? { errors: failure?.errors ?? 1 }
        : failure?.errors
          ? { errors: failure.errors }
          : {}),
      ...(warnings ? { warnings } : {}),
      ...(final === 'Failed'
        ? {
            failureReason:
              failure?.failureReason ?? 'rpc error: code = Unavailable desc = error uploading backup to object storage',
          }
        : {}),
    });
  }

  private validateBackup(spec: Record<string, unknown>): string[] {
    const location = spec.storageLocation;
    return location !== undefined && location !== 'default'
      ? [
          `an existing backup storage location was not specified at backup creation time and the default 'default' was not found`,
        ]
      : [];
  }

  private validateRestore(spec: Record<string, unknown>): string[] {
    const name = spec.backupName;
    if (typeof name !== 'string' || name === '')
      return ['Either a backup or schedule must be specified as a source for the restore, but not both'];
    const backup = this.store.get(BACKUPS, VELERO_NAMESPACE, name);
    if (!backup) return [`Error retrieving backup: backups.velero.io "${name}" not found`];
    const phase = (backup.status as { phase?: string } | undefined)?.phase;
    if (phase !== 'Completed' && phase !== 'PartiallyFailed')
      return [`backup "${name}" is not in phase Completed or PartiallyFailed (phase: ${phase ?? 'New'})`];
    return [];
  }

  /** Recreates the backup's objects; each one that already exists is a warning, as Velero reports. */
  private restore(restoreName: string, spec: Record<string, unknown>): number {
    const backupName = String(spec.backupName);
    const mapping = (spec.namespaceMapping as Record<string, string> | undefined) ?? {};
    const included = spec.includedNamespaces as string[] | undefined;
    let warnings = 0;
    const restored = new Set<string>();
    for (const original of this.snapshots.get(backupName) ?? []) {
      const from = original.metadata.namespace ?? 'default';
      if (included && !included.includes('*') && !included.includes(from)) continue;
      const ns = mapping[from] ?? from;
      if (!this.store.has('namespaces', undefined, ns)) {
        this.store.create('namespaces', {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns, 'velero.io/restore-name': restoreName } },
          spec: { finalizers: ['kubernetes'] },
          status: { phase: 'Active' },
        });
      }
      const resource =
        original.kind === 'Deployment' ? 'deployments' : original.kind === 'Service' ? 'services' : 'statefulsets';
      restored.add(ns);
      if (this.store.has(resource, ns, original.metadata.name)) {
        warnings++;
        continue;
      }
      const { uid: _u, resourceVersion: _r, creationTimestamp: _c, managedFields: _m, ...metadata } = original.metadata;
      const labels = {
        ...(metadata.labels ?? {}),
        'velero.io/backup-name': backupName,
        'velero.io/restore-name': restoreName,
      };
      const { status: _s, ...rest } = original;
      this.store.create(resource, {
        ...rest,
        metadata: { ...metadata, namespace: ns, labels, generation: 1 },
      } as K8sObject);
    }
    // The platform's data comes back with its namespace: its database answers again.
    for (const ns of restored) this.platform.update(ns, (p) => Object.assign(p, { databaseHealthy: true }));
    return warnings;
  }
}
