/**
 * kubectl's rollout-status rule, and the summary of a Deployment the bot shows. The API server omits
 * zero counts from status, so every missing count is 0.
 */
import type { V1Deployment, V1LabelSelector, V1Pod } from '@kubernetes/client-node';
import type { Topology } from '../config/topology.ts';
import type { AsRead } from './as-read.ts';
import type { ConditionSummary, DeploymentStatus, RolloutProgress, RolloutState } from './cluster.ts';
import { targetForDeployment } from './cluster-targets.ts';
import { podRestarts } from './pod-summary.ts';

export interface Rollout {
  state: RolloutState;
  message: string;
}

function deadlineExceeded(d: AsRead<V1Deployment>): boolean {
  return (d.status?.conditions ?? []).some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
}

/** kubectl rollout status (DeploymentStatusViewer), in the same order and with the same wording. */
export function rolloutOf(d: AsRead<V1Deployment>): Rollout {
  const name = d.metadata?.name ?? 'deployment';
  const s = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) {
    return { state: 'progressing', message: 'waiting for the deployment spec update to be observed' };
  }
  // Only a condition on the observed generation counts: an old failure does not fail a new rollout.
  if (deadlineExceeded(d)) {
    const condition = s.conditions?.find((c) => c.type === 'Progressing');
    return { state: 'failed', message: condition?.message ?? `deployment "${name}" exceeded its progress deadline` };
  }
  const desired = d.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  const replicas = s.replicas ?? 0;
  const available = s.availableReplicas ?? 0;
  if (updated < desired)
    return { state: 'progressing', message: `${updated} out of ${desired} new replicas have been updated` };
  if (replicas > updated)
    return { state: 'progressing', message: `${replicas - updated} old replicas are pending termination` };
  if (available < updated)
    return { state: 'progressing', message: `${available} of ${updated} updated replicas are available` };
  return { state: 'complete', message: `deployment "${name}" successfully rolled out` };
}

export function progressOf(d: AsRead<V1Deployment>): RolloutProgress {
  const rollout = rolloutOf(d);
  const s = d.status ?? {};
  return {
    deployment: d.metadata?.name ?? '',
    state: rollout.state,
    desired: d.spec?.replicas ?? 1,
    updated: s.updatedReplicas ?? 0,
    ready: s.readyReplicas ?? 0,
    available: s.availableReplicas ?? 0,
    message: rollout.message,
  };
}

/** matchLabels and matchExpressions, as the API server applies a Deployment's selector. */
export function selectorMatches(selector: V1LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e) => {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        return has && (e.values ?? []).includes(value ?? '');
      case 'NotIn':
        return !has || !(e.values ?? []).includes(value ?? '');
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
  return byLabel && byExpression;
}

function conditions(d: AsRead<V1Deployment>): ConditionSummary[] {
  return (d.status?.conditions ?? []).map((c) => ({
    type: c.type,
    status: c.status,
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
  }));
}

/** Pods by `key=value` label, built once per pod list: status matches every deployment against it. */
const podsByLabel = new WeakMap<AsRead<V1Pod>[], Map<string, AsRead<V1Pod>[]>>();

function labelIndex(pods: AsRead<V1Pod>[]): Map<string, AsRead<V1Pod>[]> {
  let index = podsByLabel.get(pods);
  if (!index) {
    index = new Map();
    for (const pod of pods) {
      for (const [key, value] of Object.entries(pod.metadata?.labels ?? {})) {
        const label = `${key}=${value}`;
        const list = index.get(label);
        if (list) list.push(pod);
        else index.set(label, [pod]);
      }
    }
    podsByLabel.set(pods, index);
  }
  return index;
}

/** The pods a selector matches; with a matchLabels entry only the pods carrying that label are checked. */
export function podsSelectedBy(selector: V1LabelSelector | undefined, pods: AsRead<V1Pod>[]): AsRead<V1Pod>[] {
  const first = Object.entries(selector?.matchLabels ?? {})[0];
  const candidates = first ? (labelIndex(pods).get(`${first[0]}=${first[1]}`) ?? []) : pods;
  return candidates.filter((p) => selectorMatches(selector, p.metadata?.labels));
}

export function summariseDeployment(
  d: AsRead<V1Deployment>,
  pods: AsRead<V1Pod>[],
  topology: Topology,
): DeploymentStatus {
  const name = d.metadata?.name ?? '';
  const s = d.status ?? {};
  const rollout = rolloutOf(d);
  const own = podsSelectedBy(d.spec?.selector, pods);
  return {
    name,
    service: targetForDeployment(topology, name)?.name,
    desired: d.spec?.replicas ?? 1,
    ready: s.readyReplicas ?? 0,
    updated: s.updatedReplicas ?? 0,
    available: s.availableReplicas ?? 0,
    unavailable: s.unavailableReplicas ?? 0,
    images: (d.spec?.template.spec?.containers ?? []).map((c) => c.image ?? ''),
    restarts: own.reduce((sum, p) => sum + podRestarts(p), 0),
    rollout: rollout.state,
    rolloutInProgress: rollout.state === 'progressing',
    progressDeadlineExceeded: deadlineExceeded(d),
    paused: d.spec?.paused ?? false,
    rolloutMessage: rollout.message,
    conditions: conditions(d),
  };
}
