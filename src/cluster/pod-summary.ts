/** A pod as `kubectl get pods` shows it: READY, STATUS, RESTARTS, AGE, NODE. */
import type { V1Pod } from '@kubernetes/client-node';
import type { AsRead } from './as-read.ts';
import type { PodSummary } from './cluster.ts';

export function podRestarts(pod: AsRead<V1Pod>): number {
  return (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0);
}

/** Ready condition True and not on its way out: what `kubectl wait --for=condition=ready` waits for. */
export function isPodReady(pod: AsRead<V1Pod>): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function toMs(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export function summarisePod(pod: AsRead<V1Pod>, now: number): PodSummary {
  const statuses = pod.status?.containerStatuses ?? [];
  const waitingReason = statuses.map((c) => c.state?.waiting?.reason).find((r) => r !== undefined);
  const terminatedReason = statuses.map((c) => c.state?.terminated?.reason).find((r) => r !== undefined);
  const lastTerminationReason = statuses.map((c) => c.lastState?.terminated?.reason).find((r) => r !== undefined);
  const phase = pod.status?.phase ?? 'Unknown';
  const created = toMs(pod.metadata?.creationTimestamp);
  const containers = pod.spec?.containers.length ?? statuses.length;
  const status = pod.metadata?.deletionTimestamp
    ? 'Terminating'
    : (waitingReason ?? terminatedReason ?? pod.status?.reason ?? phase);
  return {
    name: pod.metadata?.name ?? '',
    phase,
    ready: isPodReady(pod),
    readyContainers: `${statuses.filter((c) => c.ready).length}/${containers}`,
    restarts: podRestarts(pod),
    ageSeconds: created === undefined ? 0 : Math.max(0, Math.floor((now - created) / 1000)),
    node: pod.spec?.nodeName,
    waitingReason,
    lastTerminationReason,
    status,
    labels: { ...(pod.metadata?.labels ?? {}) },
  };
}
