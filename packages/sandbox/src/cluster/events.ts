/** Records core/v1 Events the way kubelet and controllers do, aggregating repeats. */
import type { IdGenerator } from './ids.ts';
import type { Store } from './store.ts';
import type { CoreEvent, K8sObject } from './types.ts';

const MAX_EVENTS_PER_NAMESPACE = 500;

export class EventRecorder {
  /** `ns|uid|reason|message` → event name, to bump `count` instead of duplicating. */
  private readonly byKey = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: () => number,
  ) {}

  record(
    involved: K8sObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component = involved.kind === 'Pod' ? 'kubelet' : 'deployment-controller',
  ): void {
    const ns = involved.metadata.namespace ?? 'default';
    const now = new Date(this.clock()).toISOString();
    const key = `${ns}|${involved.metadata.uid ?? involved.metadata.name}|${reason}|${message}`;
    const existingName = this.byKey.get(key);
    const existing = existingName ? this.store.get<CoreEvent>('events', ns, existingName) : undefined;
    if (existing) {
      this.store.update('events', { ...existing, count: existing.count + 1, lastTimestamp: now });
      return;
    }
    const name = `${involved.metadata.name}.${this.ids.hex(16)}`;
    this.byKey.set(key, name);
    const event: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        kind: involved.kind,
        namespace: involved.metadata.namespace,
        name: involved.metadata.name,
        uid: involved.metadata.uid,
        apiVersion: involved.apiVersion,
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component },
      reportingComponent: component,
    };
    this.store.create('events', event);
    this.trim(ns);
  }

  private trim(ns: string): void {
    const events = this.store.list<CoreEvent>('events', ns);
    if (events.length <= MAX_EVENTS_PER_NAMESPACE) return;
    events.sort((a, b) => a.lastTimestamp.localeCompare(b.lastTimestamp));
    for (const e of events.slice(0, events.length - MAX_EVENTS_PER_NAMESPACE)) {
      this.store.delete('events', ns, e.metadata.name);
    }
  }
}
