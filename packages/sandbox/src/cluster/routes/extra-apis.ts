/**
 * Read-only API groups computed from the stored objects: `metrics.k8s.io/v1beta1` (pod metrics for
 * `kubectl top pods`, made up deterministically per pod) and `events.k8s.io/v1` (the stored core
 * events in the newer shape, as `kubectl events` and modern clients read them).
 */
import { createHash } from 'node:crypto';
import { parseFieldSelector, parseLabelSelector } from '../selectors.ts';
import { notFound } from '../status.ts';
import type { CoreEvent, K8sObject, Pod } from '../types.ts';
import type { ApiPath, RequestContext } from './context.ts';
import { intParam, sendJson } from './context.ts';
import type { ApiDeps } from './deps.ts';
import { toTable, wantsTable } from './table.ts';

export const METRICS_GROUP = { name: 'metrics.k8s.io', version: 'v1beta1' };
export const EVENTS_GROUP = { name: 'events.k8s.io', version: 'v1' };

/** Stable pseudo-random usage per pod and container: the same pod always reports the same load. */
function usage(pod: string, container: string): { cpu: string; memory: string } {
  const digest = createHash('sha256').update(`${pod}/${container}`).digest();
  const cpu = 5 + (digest.readUInt16BE(0) % 245);
  const memory = 64 + (digest.readUInt16BE(2) % 448);
  return { cpu: `${cpu}m`, memory: `${memory}Mi` };
}

function podMetrics(pod: Pod, now: number): K8sObject {
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      labels: pod.metadata.labels,
      creationTimestamp: new Date(now).toISOString(),
    },
    timestamp: new Date(now - 15_000).toISOString(),
    window: '30s',
    containers: pod.spec.containers.map((c) => ({ name: c.name, usage: usage(pod.metadata.name, c.name) })),
  };
}

/** The newer Event shape (events.k8s.io/v1) of a stored core event. */
export function toEventV1(e: CoreEvent): K8sObject {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: e.metadata,
    eventTime: null,
    reportingController: e.reportingComponent ?? e.source.component,
    reportingInstance: e.source.host ?? '',
    action: e.reason,
    reason: e.reason,
    regarding: e.involvedObject,
    note: e.message,
    type: e.type,
    deprecatedSource: e.source,
    deprecatedFirstTimestamp: e.firstTimestamp,
    deprecatedLastTimestamp: e.lastTimestamp,
    deprecatedCount: e.count,
  };
}

function list(
  ctx: RequestContext,
  apiVersion: string,
  kind: string,
  items: K8sObject[],
  resourceVersion: string,
): void {
  const limit = intParam(ctx.query, 'limit');
  sendJson(ctx.res, 200, {
    apiVersion,
    kind,
    metadata: { resourceVersion },
    items: (limit !== undefined && limit > 0 ? items.slice(0, limit) : items).map(
      ({ apiVersion: _a, kind: _k, ...rest }) => rest,
    ),
  });
}

/** Answers GETs on the two groups; the caller has checked access. */
export function extraApi(ctx: RequestContext, deps: ApiDeps, p: ApiPath): void {
  const labels = parseLabelSelector(ctx.query.get('labelSelector') ?? undefined);
  const rv = deps.store.currentResourceVersion;
  if (p.group === METRICS_GROUP.name) {
    const now = deps.clock();
    const running = deps.store
      .list<Pod>('pods', p.namespace)
      .filter((pod) => pod.status?.phase === 'Running' && labels(pod.metadata.labels));
    if (p.name) {
      const pod = running.find((x) => x.metadata.name === p.name);
      if (!pod) throw notFound('pods', 'metrics.k8s.io', p.name);
      return sendJson(ctx.res, 200, podMetrics(pod, now));
    }
    return list(
      ctx,
      'metrics.k8s.io/v1beta1',
      'PodMetricsList',
      running.map((pod) => podMetrics(pod, now)),
      rv,
    );
  }
  const fields = parseFieldSelector(
    ctx.query.get('fieldSelector') ?? undefined,
    'events.k8s.io',
    'events.k8s.io/v1, Resource=events',
  );
  const pairs = deps.store
    .list<CoreEvent>('events', p.namespace)
    .map((core) => ({ core, v1: toEventV1(core) }))
    .filter(({ v1 }) => labels(v1.metadata.labels) && fields(v1) && (!p.name || v1.metadata.name === p.name));
  // kubectl get prints both Event kinds with the same columns.
  if (wantsTable(ctx) && (pairs.length > 0 || !p.name))
    return sendJson(
      ctx.res,
      200,
      toTable(
        'events',
        pairs.map((x) => x.core),
        deps.clock(),
        rv,
      ),
    );
  const events = pairs.map((x) => x.v1);
  if (p.name) {
    const event = events.find((e) => e.metadata.name === p.name);
    if (!event) throw notFound('events', 'events.k8s.io', p.name);
    return sendJson(ctx.res, 200, event);
  }
  return list(ctx, 'events.k8s.io/v1', 'EventList', events, rv);
}
