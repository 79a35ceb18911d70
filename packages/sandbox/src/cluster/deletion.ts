/**
 * Deletion as Kubernetes does it: propagation policies and the garbage collector (pods of a deleted
 * Job or StatefulSet), foreground deletion, Namespace finalisation (`Terminating`, contents removed,
 * then the namespace gone) and CRD deletion (its custom resources go with it).
 */
import type { Kubelet } from './kubelet.ts';
import type { Crd, ResourceRegistry } from './registry.ts';
import { keyOf, type ResourceDef } from './routes/deps.ts';
import type { Propagation } from './routes/delete.ts';
import type { Store } from './store.ts';
import type { Timing } from './timing.ts';
import type { K8sObject, Pod } from './types.ts';

const FOREGROUND = 'foregroundDeletion';
const OWNER_KINDS: Record<string, 'jobs' | 'statefulsets'> = { Job: 'jobs', StatefulSet: 'statefulsets' };

export class Deletion {
  /** Owners changed or pods appeared since the last collection: most ticks have nothing to collect. */
  private dirty = true;
  /** Namespaces may be terminating (a namespace changed, or one was terminating at the last pass). */
  private namespacesDirty = true;

  constructor(
    private readonly store: Store,
    private readonly kubelet: Kubelet,
    private readonly registry: ResourceRegistry,
    private readonly timing: Timing,
  ) {
    store.on('change', (c) => {
      if (c.resource === 'jobs' || c.resource === 'statefulsets' || (c.resource === 'pods' && c.type !== 'MODIFIED'))
        this.dirty = true;
      if (c.resource === 'namespaces') this.namespacesDirty = true;
    });
  }

  /** Deletes `obj`; returns the stored object when its deletion is pending (finalizers), else undefined. */
  remove(def: ResourceDef, obj: K8sObject, policy: Propagation, now: number): K8sObject | undefined {
    const key = keyOf(def);
    const ns = def.namespaced ? obj.metadata.namespace : undefined;
    if (def.resource === 'namespaces' && def.storeKey === undefined) {
      if (obj.metadata.deletionTimestamp) return obj;
      return this.store.update(key, {
        ...obj,
        metadata: { ...obj.metadata, deletionTimestamp: new Date(now).toISOString(), deletionGracePeriodSeconds: 0 },
        status: { phase: 'Terminating' },
      });
    }
    if (def.resource === 'customresourcedefinitions' && def.storeKey === undefined) {
      const crd = obj as Crd;
      const instances = `${crd.spec.names.plural}.${crd.spec.group}` as const;
      for (const o of this.store.list(instances)) this.store.delete(instances, o.metadata.namespace, o.metadata.name);
      this.registry.unregister(crd.metadata.name);
      this.store.delete(key, undefined, obj.metadata.name);
      return undefined;
    }
    if (policy === 'Foreground') {
      if (obj.metadata.deletionTimestamp) return obj;
      const finalizers = [...new Set([...((obj.metadata.finalizers as string[] | undefined) ?? []), FOREGROUND])];
      return this.store.update(key, {
        ...obj,
        metadata: {
          ...obj.metadata,
          deletionTimestamp: new Date(now).toISOString(),
          deletionGracePeriodSeconds: 0,
          finalizers,
        },
      });
    }
    if (policy === 'Orphan') {
      for (const pod of this.dependents(obj.metadata.uid)) {
        const ownerReferences = (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== obj.metadata.uid);
        const { ownerReferences: _drop, ...metadata } = pod.metadata;
        this.store.update('pods', {
          ...pod,
          metadata: ownerReferences.length > 0 ? { ...metadata, ownerReferences } : metadata,
        });
      }
    }
    this.store.delete(key, ns, obj.metadata.name);
    return undefined;
  }

  private dependents(uid: string | undefined): Pod[] {
    if (!uid) return [];
    return this.store.list<Pod>('pods').filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === uid));
  }

  tick(now: number): void {
    if (this.dirty) {
      this.dirty = false;
      this.collectGarbage(now);
    }
    if (!this.namespacesDirty) return;
    this.namespacesDirty = false;
    for (const ns of this.store.list('namespaces')) {
      const since = ns.metadata.deletionTimestamp ? Date.parse(ns.metadata.deletionTimestamp) : undefined;
      if (since === undefined) continue;
      this.namespacesDirty = true;
      this.finalizeNamespace(ns.metadata.name, now, now >= since + this.timing.namespaceDeletionMs);
    }
  }

  /** Pods whose Job/StatefulSet is gone, or is being deleted in the foreground, are deleted. */
  private collectGarbage(now: number): void {
    const owners = new Map<string, K8sObject>();
    for (const key of ['jobs', 'statefulsets'] as const)
      for (const o of this.store.list(key)) owners.set(o.metadata.uid ?? '', o);
    for (const pod of this.store.list<Pod>('pods')) {
      const ref = pod.metadata.ownerReferences?.find((r) => r.controller && OWNER_KINDS[r.kind]);
      if (!ref) continue;
      const owner = owners.get(ref.uid);
      if (owner && !owner.metadata.deletionTimestamp) continue;
      this.kubelet.terminate(pod.metadata.namespace ?? 'default', pod.metadata.name, now);
    }
    for (const owner of owners.values()) {
      const finalizers = (owner.metadata.finalizers as string[] | undefined) ?? [];
      if (!owner.metadata.deletionTimestamp || !finalizers.includes(FOREGROUND)) continue;
      if (this.dependents(owner.metadata.uid).length > 0) continue;
      const kind = OWNER_KINDS[owner.kind] ?? (owner.apiVersion === 'batch/v1' ? 'jobs' : 'statefulsets');
      this.store.delete(kind, owner.metadata.namespace, owner.metadata.name);
    }
  }

  /** The namespace controller: delete everything in it; once nothing is left, drop the `kubernetes` finalizer. */
  private finalizeNamespace(ns: string, now: number, mayFinish: boolean): void {
    let remaining = 0;
    for (const def of this.registry.all()) {
      if (!def.namespaced) continue;
      for (const obj of this.store.list(keyOf(def), ns)) {
        remaining++;
        if (def.resource === 'pods' && def.storeKey === undefined) this.kubelet.terminate(ns, obj.metadata.name, now);
        else this.store.delete(keyOf(def), ns, obj.metadata.name);
      }
    }
    if (remaining === 0 && mayFinish) this.store.delete('namespaces', undefined, ns);
  }
}
