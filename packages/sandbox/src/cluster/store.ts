/**
 * The object store: the simulator's etcd. Every write bumps one global
 * resourceVersion counter and is published as a watch-style change.
 */
import { EventEmitter } from 'node:events';
import type { IdGenerator } from './ids.ts';
import type { K8sObject, ResourceKind, StoreChange } from './types.ts';

const HISTORY_LIMIT = 2000;

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

interface Entry {
  namespace: string | undefined;
  /** Objects are kept serialised: reads hand out fresh copies, equality checks are string compares. */
  json: string;
  /** Its metadata.resourceVersion, readable without parsing `json`. */
  resourceVersion: string;
}

/** Where an object is and which version of it is stored (`Store.versions`). */
export interface StoredVersion {
  namespace: string | undefined;
  name: string;
  resourceVersion: string;
}

export class Store extends EventEmitter<{ change: [StoreChange] }> {
  private resourceVersion = 1000;
  private readonly objects = new Map<ResourceKind, Map<string, Entry>>();
  /** Recent changes, so a watch from a given resourceVersion can replay. */
  private readonly history: StoreChange[] = [];

  constructor(
    private readonly ids: IdGenerator,
    private readonly clock: () => number,
  ) {
    super();
    this.setMaxListeners(0);
  }

  get currentResourceVersion(): string {
    return String(this.resourceVersion);
  }

  private bucket(resource: ResourceKind): Map<string, Entry> {
    let b = this.objects.get(resource);
    if (!b) {
      b = new Map();
      this.objects.set(resource, b);
    }
    return b;
  }

  has(resource: ResourceKind, namespace: string | undefined, name: string): boolean {
    return this.bucket(resource).has(key(namespace, name));
  }

  get<T extends K8sObject>(resource: ResourceKind, namespace: string | undefined, name: string): T | undefined {
    const entry = this.bucket(resource).get(key(namespace, name));
    return entry ? (JSON.parse(entry.json) as T) : undefined;
  }

  list<T extends K8sObject>(resource: ResourceKind, namespace?: string): T[] {
    return this.sorted(resource, namespace).map(([, e]) => JSON.parse(e.json) as T);
  }

  /** The entries of `resource` (in `namespace`, when given), in key order. */
  private sorted(resource: ResourceKind, namespace?: string): [string, Entry][] {
    return [...this.bucket(resource)]
      .filter(([, e]) => namespace === undefined || e.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Every object of `resource`, in `list`'s order, by version only: nothing is parsed. */
  versions(resource: ResourceKind): StoredVersion[] {
    return this.sorted(resource).map(([k, e]) => ({
      namespace: e.namespace,
      name: k.slice(k.indexOf('/') + 1),
      resourceVersion: e.resourceVersion,
    }));
  }

  /** Inserts a new object, filling uid, creationTimestamp and resourceVersion. */
  create<T extends K8sObject>(resource: ResourceKind, input: T): T {
    const obj = structuredClone(input);
    obj.metadata.uid ??= this.ids.uid();
    obj.metadata.creationTimestamp ??= new Date(this.clock()).toISOString();
    obj.metadata.resourceVersion = String(++this.resourceVersion);
    const json = JSON.stringify(obj);
    this.bucket(resource).set(key(obj.metadata.namespace, obj.metadata.name), {
      namespace: obj.metadata.namespace,
      json,
      resourceVersion: obj.metadata.resourceVersion,
    });
    this.publish({ type: 'ADDED', resource, object: obj, resourceVersion: this.resourceVersion });
    return JSON.parse(json) as T;
  }

  /**
   * Replaces an existing object. Returns the stored copy, or the unchanged
   * current object when nothing differs (no spurious resourceVersion bumps).
   */
  update<T extends K8sObject>(resource: ResourceKind, input: T): T {
    const k = key(input.metadata.namespace, input.metadata.name);
    const entry = this.bucket(resource).get(k);
    if (!entry) throw new Error(`store: ${resource} ${k} does not exist`);
    const previous = JSON.parse(entry.json) as K8sObject;
    const candidate = JSON.stringify({
      ...input,
      metadata: { ...input.metadata, resourceVersion: previous.metadata.resourceVersion },
    });
    if (candidate === entry.json) return JSON.parse(candidate) as T;
    const obj = JSON.parse(candidate) as T;
    obj.metadata.resourceVersion = String(++this.resourceVersion);
    const json = JSON.stringify(obj);
    this.bucket(resource).set(k, {
      namespace: obj.metadata.namespace,
      json,
      resourceVersion: obj.metadata.resourceVersion,
    });
    this.publish({ type: 'MODIFIED', resource, object: obj, previous, resourceVersion: this.resourceVersion });
    return JSON.parse(json) as T;
  }

  delete(resource: ResourceKind, namespace: string | undefined, name: string): K8sObject | undefined {
    const k = key(namespace, name);
    const entry = this.bucket(resource).get(k);
    if (!entry) return undefined;
    this.bucket(resource).delete(k);
    const previous = JSON.parse(entry.json) as K8sObject;
    const obj = JSON.parse(entry.json) as K8sObject;
    obj.metadata.resourceVersion = String(++this.resourceVersion);
    this.publish({ type: 'DELETED', resource, object: obj, previous, resourceVersion: this.resourceVersion });
    return JSON.parse(JSON.stringify(obj)) as K8sObject;
  }

  /** Changes after `resourceVersion`, or undefined when history no longer reaches back that far. */
  changesSince(resourceVersion: number): StoreChange[] | undefined {
    const first = this.history[0];
    if (first && first.resourceVersion > resourceVersion + 1 && this.history.length >= HISTORY_LIMIT) return undefined;
    return this.history.filter((c) => c.resourceVersion > resourceVersion);
  }

  /** Listeners get the stored object itself: they must not mutate it. */
  private publish(change: StoreChange): void {
    this.history.push(change);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
    this.emit('change', change);
  }
}
