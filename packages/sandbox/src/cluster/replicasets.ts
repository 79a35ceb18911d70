/**
 * The Deployment's ReplicaSets as stored objects, as the real controller keeps them: one per pod
 * template, named `<deployment>-<pod-template-hash>`, owned by the Deployment, carrying its template
 * (with the `pod-template-hash` label) and `deployment.kubernetes.io/revision`. kubectl's `get rs`,
 * `describe deploy` (NewReplicaSet), `rollout history` and `rollout undo` read them.
 */
import { controllerRef, podStage, type PodRuntime } from './pods.ts';
import type { Store } from './store.ts';
import type { Deployment, K8sObject, PodTemplate } from './types.ts';

export const REVISION = 'deployment.kubernetes.io/revision';

export interface ReplicaSet extends K8sObject {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: PodTemplate;
    minReadySeconds?: number;
  };
  status?: {
    replicas: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
  };
}

export interface SetSnapshot {
  hash: string;
  uid: string;
  size: number;
  revision: number;
  template: PodTemplate;
  pods: PodRuntime[];
}

function build(d: Deployment, set: SetSnapshot, now: number): ReplicaSet {
  const template = structuredClone(set.template);
  template.metadata = {
    ...template.metadata,
    labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': set.hash },
  };
  const live = set.pods.filter((p) => p.terminatingAt === undefined);
  const ready = live.filter((p) => podStage(p, now) === 'ready').length;
  // Like the API server, zero counts are omitted (omitempty), except replicas.
  const status: NonNullable<ReplicaSet['status']> = { replicas: live.length, observedGeneration: 1 };
  if (live.length) status.fullyLabeledReplicas = live.length;
  if (ready) status.readyReplicas = ready;
  if (ready) status.availableReplicas = ready;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${set.hash}`,
      namespace: d.metadata.namespace,
      uid: set.uid,
      labels: { ...(set.template.metadata?.labels ?? {}), 'pod-template-hash': set.hash },
      annotations: {
        [REVISION]: String(set.revision),
        'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas ?? 1),
        'deployment.kubernetes.io/max-replicas': String(d.spec.replicas ?? 1),
      },
      ownerReferences: [controllerRef('apps/v1', 'Deployment', d.metadata.name, d.metadata.uid ?? '')],
    },
    spec: {
      replicas: set.size,
      selector: { matchLabels: { ...(d.spec.selector.matchLabels ?? {}), 'pod-template-hash': set.hash } },
      template,
      ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
    },
    status,
  };
}

/**
 * Creates or updates the stored ReplicaSets of `d`. `written` remembers a small signature of what
 * was last written per set, so the many ticks that change nothing cost a string comparison each.
 */
export function syncReplicaSets(
  store: Store,
  d: Deployment,
  sets: SetSnapshot[],
  now: number,
  written: Map<string, string>,
): void {
  for (const set of sets) {
    const key = `${d.metadata.namespace ?? ''}/${d.metadata.name}-${set.hash}`;
    const live = set.pods.filter((p) => p.terminatingAt === undefined);
    const ready = live.filter((p) => podStage(p, now) === 'ready').length;
    const signature = `${d.metadata.uid}|${d.spec.replicas}|${set.size}|${set.revision}|${live.length}|${ready}`;
    if (written.get(key) === signature) continue;
    written.set(key, signature);
    const wanted = build(d, set, now);
    const current = store.get<ReplicaSet>('replicasets', wanted.metadata.namespace, wanted.metadata.name);
    if (!current) {
      // A set seeded with running pods is as old as its oldest pod.
      const oldest = Math.min(now, ...set.pods.map((p) => p.createdAt));
      store.create('replicasets', {
        ...wanted,
        metadata: { ...wanted.metadata, creationTimestamp: new Date(oldest).toISOString() },
      });
      continue;
    }
    // generation counts spec changes, as on any stored object.
    const specChanged = JSON.stringify(current.spec) !== JSON.stringify(wanted.spec);
    const generation = (current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    store.update('replicasets', {
      ...wanted,
      metadata: {
        ...current.metadata,
        labels: wanted.metadata.labels,
        annotations: wanted.metadata.annotations,
        generation,
      },
      status: { ...wanted.status!, observedGeneration: generation },
    });
  }
}
