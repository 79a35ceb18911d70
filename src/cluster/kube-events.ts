/** Recent events of an environment, or of one service's objects (its deployment, replica sets and pods). */
import type { CoreV1Event } from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';
import type { ClusterEvent, RecentEventsOptions } from './cluster.ts';
import { allTargets, formatSelector, namespaceFor } from './cluster-targets.ts';
import type { KubeContext } from './kube-context.ts';

function eventTime(e: CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

/** Without a filter, how many events to read before sorting newest first. */
const NAMESPACE_EVENTS_PAGE = 500;
/** A service's objects whose events are read (its deployment, replica sets and pods). */
const MAX_EVENT_OBJECTS = 25;
/** Events read per object: few distinct ones exist per object (repeats are counted, not stored). */
const PER_OBJECT_EVENTS = 100;

export async function recentEvents(
  k: KubeContext,
  environment: string,
  options: RecentEventsOptions,
): Promise<ClusterEvent[]> {
  const namespace = namespaceFor(k.topology, environment);
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new AppError('invalid_argument', `limit must be a whole number above 0 (got ${options.limit}).`);
  }
  const items = await eventsFor(k, namespace, options.involvedName, options.limit);
  return items
    .sort((a, b) => eventTime(b) - eventTime(a))
    .slice(0, options.limit)
    .map((e) => {
      const t = eventTime(e);
      return {
        type: e.type ?? 'Normal',
        reason: e.reason ?? '',
        message: e.message ?? '',
        object: `${e.involvedObject.kind ?? 'Object'}/${e.involvedObject.name ?? ''}`,
        count: e.count ?? 1,
        lastSeen: t > 0 ? new Date(t).toISOString() : undefined,
      };
    });
}

/**
 * Events filtered by the API server on the involved object, each query limited. A service's events
 * are those of its Deployment, its pods and their ReplicaSets (named by the pods' owner references).
 */
async function eventsFor(
  k: KubeContext,
  namespace: string,
  involved: string | undefined,
  limit: number,
): Promise<CoreV1Event[]> {
  const { requests, core } = k;
  const query = (fieldSelector: string | undefined, max: number) =>
    requests
      .run({ verb: 'list', resource: 'events', namespace }, (o) =>
        core.listNamespacedEvent({ namespace, fieldSelector, limit: max }, o),
      )
      .then((l) => l.items);
  if (!involved) return query(undefined, Math.max(limit, NAMESPACE_EVENTS_PAGE));
  const target = allTargets(k.topology).find((t) => t.name === involved || t.deployment === involved);
  if (!target) return query(`involvedObject.name=${involved}`, limit);
  const labelSelector = formatSelector(target.selector);
  const pods = await requests.run({ verb: 'list', resource: 'pods', namespace }, (o) =>
    core.listNamespacedPod({ namespace, labelSelector }, o),
  );
  const names = new Set([target.deployment]);
  for (const pod of pods.items) {
    names.add(pod.metadata?.name ?? '');
    for (const owner of pod.metadata?.ownerReferences ?? []) names.add(owner.name);
  }
  names.delete('');
  const lists = await Promise.all(
    [...names]
      .slice(0, MAX_EVENT_OBJECTS)
      .map((name) => query(`involvedObject.name=${name}`, Math.max(limit, PER_OBJECT_EVENTS))),
  );
  return lists.flat();
}
