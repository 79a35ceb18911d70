/**
 * The StatefulSet controller (OrderedReady, RollingUpdate): ordinal pods `name-0…name-(n-1)` created
 * one at a time once the previous ones are Ready, removed from the highest ordinal down, replaced from
 * the highest ordinal down when the template changes; status with replicas, readyReplicas and the
 * current/update revisions.
 */
import type { EventRecorder } from './events.ts';
import { templateHash } from './ids.ts';
import type { Kubelet } from './kubelet.ts';
import { controllerRef, podStage, POD_SPEC_DEFAULTS, type PodRuntime } from './pods.ts';
import type { Store } from './store.ts';
import type { K8sObject, Labels, Pod, PodTemplate } from './types.ts';

export interface StatefulSet extends K8sObject {
  spec: {
    replicas?: number;
    serviceName?: string;
    selector: { matchLabels?: Labels };
    template: PodTemplate;
    podManagementPolicy?: string;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
    [key: string]: unknown;
  };
  status?: {
    observedGeneration?: number;
    replicas: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    availableReplicas: number;
    currentRevision?: string;
    updateRevision?: string;
    collisionCount?: number;
  };
}

export const REVISION_LABEL = 'controller-revision-hash';

/**
 * A PostgreSQL pod labels itself with the role it runs as (as Patroni and Spilo label theirs), so a
 * replica promoted through POSTGRES_ROLE=primary comes back labelled `role: primary`.
 */
function postgresRole(template: PodTemplate): string | undefined {
  const containers = (template.spec?.containers ?? []) as { env?: { name: string; value?: string }[] }[];
  return containers.flatMap((c) => c.env ?? []).find((e) => e.name === 'POSTGRES_ROLE')?.value;
}

export const ownerKey = (name: string) => `statefulset/${name}`;

function ordinalOf(sts: StatefulSet, podName: string): number {
  return Number(podName.slice(sts.metadata.name.length + 1));
}

export class StatefulSetController {
  /** Every step shows up as a change of a StatefulSet or a pod: without one there is nothing to do. */
  private dirty = true;

  constructor(
    private readonly store: Store,
    private readonly kubelet: Kubelet,
    private readonly events: EventRecorder,
  ) {
    store.on('change', (c) => {
      if (c.resource === 'statefulsets' || c.resource === 'pods') this.dirty = true;
    });
  }

  tick(now: number): void {
    if (!this.dirty) return;
    this.dirty = false;
    for (const sts of this.store.list<StatefulSet>('statefulsets')) {
      if (!sts.metadata.deletionTimestamp) this.reconcile(sts, now);
    }
  }

  revisionOf(sts: StatefulSet): string {
    return `${sts.metadata.name}-${templateHash(sts.spec.template)}`;
  }

  private reconcile(sts: StatefulSet, now: number): void {
    const ns = sts.metadata.namespace ?? 'default';
    const desired = sts.spec.replicas ?? 1;
    const revision = this.revisionOf(sts);
    const all = this.kubelet.podsOf(ns, ownerKey(sts.metadata.name));
    const live = all.filter((rt) => rt.terminatingAt === undefined);
    const ready = (rt: PodRuntime) => podStage(rt, now) === 'ready';
    const byOrdinal = new Map(live.map((rt) => [ordinalOf(sts, rt.name), rt]));
    const busy = all.length !== live.length;
    if (!busy) this.step(sts, desired, revision, byOrdinal, ready, now);
    this.writeStatus(sts, revision, now);
  }

  /** One ordered action per pass, as OrderedReady does. */
  private step(
    sts: StatefulSet,
    desired: number,
    revision: string,
    byOrdinal: Map<number, PodRuntime>,
    ready: (rt: PodRuntime) => boolean,
    now: number,
  ): void {
    const ns = sts.metadata.namespace ?? 'default';
    for (let i = 0; i < desired; i++) {
      const rt = byOrdinal.get(i);
      if (!rt) {
        this.createPod(sts, i, revision, now);
        return;
      }
      if (!ready(rt)) return;
    }
    const extra = [...byOrdinal.keys()].filter((i) => i >= desired).sort((a, b) => b - a)[0];
    if (extra !== undefined) {
      this.terminate(sts, ns, `${sts.metadata.name}-${extra}`, now);
      return;
    }
    if (sts.spec.updateStrategy?.type === 'OnDelete') return;
    const partition = sts.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    const stale = [...byOrdinal.entries()]
      .filter(([i, rt]) => i >= partition && rt.hash !== revision)
      .sort((a, b) => b[0] - a[0])[0];
    if (stale) this.terminate(sts, ns, stale[1].name, now);
  }

  /** Seeds every ordinal as a pod that has been ready for `ageMs`. */
  seed(sts: StatefulSet, now: number, ageMs: number): void {
    for (let i = 0; i < (sts.spec.replicas ?? 1); i++) this.createPod(sts, i, this.revisionOf(sts), now, now - ageMs);
    this.writeStatus(
      this.store.get<StatefulSet>('statefulsets', sts.metadata.namespace, sts.metadata.name) ?? sts,
      this.revisionOf(sts),
      now,
    );
  }

  private createPod(sts: StatefulSet, ordinal: number, revision: string, now: number, startedAt?: number): void {
    const ns = sts.metadata.namespace ?? 'default';
    const name = `${sts.metadata.name}-${ordinal}`;
    const template = structuredClone(sts.spec.template);
    const role = postgresRole(template);
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        labels: {
          ...(template.metadata?.labels ?? {}),
          ...(role ? { role } : {}),
          [REVISION_LABEL]: revision,
          'statefulset.kubernetes.io/pod-name': name,
          'apps.kubernetes.io/pod-index': String(ordinal),
        },
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
        ownerReferences: [controllerRef('apps/v1', 'StatefulSet', sts.metadata.name, sts.metadata.uid ?? '')],
      },
      spec: {
        ...POD_SPEC_DEFAULTS,
        ...template.spec,
        hostname: name,
        ...(sts.spec.serviceName ? { subdomain: sts.spec.serviceName } : {}),
      },
    };
    this.kubelet.createOwnedPod(pod, ownerKey(sts.metadata.name), now, startedAt);
    if (startedAt === undefined)
      this.events.record(
        sts,
        'Normal',
        'SuccessfulCreate',
        `create Pod ${name} in StatefulSet ${sts.metadata.name} successful`,
        'statefulset-controller',
      );
  }

  private terminate(sts: StatefulSet, ns: string, name: string, now: number): void {
    this.kubelet.terminate(ns, name, now);
    this.events.record(
      sts,
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${name} in StatefulSet ${sts.metadata.name} successful`,
      'statefulset-controller',
    );
  }

  private writeStatus(sts: StatefulSet, revision: string, now: number): void {
    const live = this.kubelet
      .podsOf(sts.metadata.namespace ?? 'default', ownerKey(sts.metadata.name))
      .filter((rt) => rt.terminatingAt === undefined);
    const ready = live.filter((rt) => podStage(rt, now) === 'ready').length;
    const updated = live.filter((rt) => rt.hash === revision).length;
    const desired = sts.spec.replicas ?? 1;
    const previousCurrent = sts.status?.currentRevision ?? revision;
    // The update is done when every pod runs the new revision: it becomes the current one.
    const currentRevision = updated === live.length && live.length === desired ? revision : previousCurrent;
    const current = live.filter((rt) => rt.hash === currentRevision).length;
    const status: NonNullable<StatefulSet['status']> = {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: live.length,
      ...(ready ? { readyReplicas: ready } : {}),
      ...(current ? { currentReplicas: current } : {}),
      ...(updated ? { updatedReplicas: updated } : {}),
      availableReplicas: ready,
      currentRevision,
      updateRevision: revision,
      collisionCount: 0,
    };
    if (JSON.stringify(status) === JSON.stringify(sts.status)) return;
    this.store.update('statefulsets', { ...sts, status });
  }
}
