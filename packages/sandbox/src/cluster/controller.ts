/**
 * The Deployment and Endpoints controllers. Each tick moves every Deployment
 * toward its spec through implicit ReplicaSets (one per pod-template hash),
 * then recomputes its status and conditions, then rebuilds Endpoints from
 * Ready pods.
 */
import type { EventRecorder } from './events.ts';
import type { Failures } from './failures.ts';
import { templateHash, type IdGenerator } from './ids.ts';
import type { Kubelet } from './kubelet.ts';
import { podStage, type PodRuntime } from './pods.ts';
import { targetSizes, rollingParams, type SetState } from './rollout.ts';
import type { Store } from './store.ts';
import type { Timing } from './timing.ts';
import { syncReplicaSets } from './replicasets.ts';
import type { Condition, Deployment, DeploymentStatus, K8sObject, PodTemplate } from './types.ts';
import { syncEndpoints } from './endpoints.ts';
import { nextConditions } from './conditions.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

interface DeploymentState {
  sizes: Map<string, number>;
  /** The pod template behind each hash, for the stored ReplicaSets (and so `rollout undo`). */
  templates: Map<string, PodTemplate>;
  rsUids: Map<string, string>;
  revisions: Map<string, number>;
  currentHash?: string;
  lastActivity: number;
}

export class Controller {
  private readonly states = new Map<string, DeploymentState>();
  /**
   * Deployments a reconcile found complete and left unchanged, with their resourceVersion. A tick
   * passes them over until the Deployment is written, a pod in its namespace changes or a pod failure
   * is injected for it: reconciling one at rest changes nothing, and parsing and reconciling every
   * Deployment every tick cost a world of 160 ~40 % of a core while it stood idle.
   */
  private readonly resting = new Map<string, string>();
  private endpointsDirty = true;
  /** Last ReplicaSet written per set (see syncReplicaSets). */
  private readonly replicaSetsWritten = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly kubelet: Kubelet,
    private readonly events: EventRecorder,
    private readonly failures: Failures,
    private readonly ids: IdGenerator,
    private readonly timing: Timing,
    private readonly clock: () => number,
  ) {
    store.on('change', (c) => {
      if (c.resource === 'pods' || c.resource === 'services') this.endpointsDirty = true;
      if (c.resource === 'pods') this.wake(c.object.metadata.namespace ?? 'default');
    });
    kubelet.onActivity = (ns, name) => {
      const s = this.states.get(`${ns}/${name}`);
      if (s) s.lastActivity = this.clock();
    };
  }

  private state(d: Deployment): DeploymentState {
    const k = `${d.metadata.namespace ?? ''}/${d.metadata.name}`;
    let s = this.states.get(k);
    if (!s) {
      s = {
        sizes: new Map(),
        templates: new Map(),
        rsUids: new Map(),
        revisions: new Map(),
        lastActivity: this.clock(),
      };
      this.states.set(k, s);
    }
    return s;
  }

  /** Seeds ready pods for a freshly seeded deployment, started `ageMs` ago. */
  seed(d: Deployment, ageMs: number): void {
    const s = this.state(d);
    const hash = templateHash(d.spec.template);
    const uid = this.ids.uid();
    s.sizes.set(hash, d.spec.replicas ?? 1);
    s.templates.set(hash, structuredClone(d.spec.template));
    s.rsUids.set(hash, uid);
    s.revisions.set(hash, 1);
    s.currentHash = hash;
    const now = this.clock();
    for (let i = 0; i < (d.spec.replicas ?? 1); i++) this.kubelet.createPod(d, hash, uid, now, now - ageMs);
  }

  tick(): void {
    const now = this.clock();
    this.kubelet.tick(now);
    for (const { namespace, name, resourceVersion } of this.store.versions('deployments')) {
      const ns = namespace ?? 'default';
      const k = `${ns}/${name}`;
      if (this.resting.get(k) === resourceVersion && !this.failures.hasPodFailure(ns, name)) continue;
      this.resting.delete(k);
      const d = this.store.get<Deployment>('deployments', namespace, name);
      if (!d) continue;
      this.reconcile(d, now);
      // At rest only once a pass changes nothing: the pass that completes a rollout can leave a condition
      // the next one moves on (a new ReplicaSet's, at 0 replicas, complete at once).
      const after = this.store.get<Deployment>('deployments', namespace, name);
      if (after?.metadata.resourceVersion === resourceVersion && this.complete(after))
        this.resting.set(k, resourceVersion);
    }
    if (this.endpointsDirty) {
      this.endpointsDirty = false;
      syncEndpoints(this.store);
    }
  }

  private reconcile(d: Deployment, now: number): void {
    const s = this.state(d);
    const ns = d.metadata.namespace ?? 'default';
    const hash = templateHash(d.spec.template);
    const hashChanged = s.currentHash !== undefined && s.currentHash !== hash;
    const existed = s.sizes.has(hash);
    if (!existed) {
      s.sizes.set(hash, 0);
      s.templates.set(hash, structuredClone(d.spec.template));
      s.rsUids.set(hash, this.ids.uid());
    }
    if (!s.revisions.has(hash) || hashChanged) s.revisions.set(hash, Math.max(0, ...s.revisions.values()) + 1);
    s.currentHash = hash;

    const pods = this.kubelet.podsOf(ns, d.metadata.name).filter((rt) => rt.terminatingAt === undefined);
    const sets = new Map<string, SetState>();
    for (const [h, size] of s.sizes) {
      const mine = pods.filter((p) => p.hash === h);
      sets.set(h, { size, pods: mine.length, ready: mine.filter((p) => podStage(p, now) === 'ready').length });
    }
    const targets = targetSizes(d, hash, sets);
    for (const [h, size] of targets) {
      const before = s.sizes.get(h) ?? 0;
      if (size === before) continue;
      s.sizes.set(h, size);
      s.lastActivity = now;
      const direction = size > before ? 'up' : 'down';
      this.events.record(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${direction} replica set ${d.metadata.name}-${h} from ${before} to ${size}`,
      );
    }
    for (const [h, size] of s.sizes)
      this.enforceSize(
        d,
        h,
        size,
        s,
        pods.filter((p) => p.hash === h),
        now,
      );
    this.writeStatus(d, s, hash, hashChanged || (!existed && s.sizes.size > 1), now);
    const all = pods;
    const snapshots = [...s.sizes].map(([h, size]) => ({
      hash: h,
      uid: s.rsUids.get(h) ?? '',
      size,
      revision: s.revisions.get(h) ?? 1,
      template: s.templates.get(h) ?? d.spec.template,
      pods: all.filter((p) => p.hash === h),
    }));
    syncReplicaSets(
      this.store,
      this.store.get<Deployment>('deployments', ns, d.metadata.name) ?? d,
      snapshots,
      now,
      this.replicaSetsWritten,
    );
  }

  /** The ReplicaSet controller's job: make the live pods of one hash match its size. */
  private enforceSize(
    d: Deployment,
    hash: string,
    size: number,
    s: DeploymentState,
    pods: PodRuntime[],
    now: number,
  ): void {
    const ns = d.metadata.namespace ?? 'default';
    const rs: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: ns, uid: s.rsUids.get(hash) },
    };
    for (let i = pods.length; i < size; i++) {
      const pod = this.kubelet.createPod(d, hash, s.rsUids.get(hash) ?? '', now);
      this.events.record(
        rs,
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${pod.metadata.name}`,
        'replicaset-controller',
      );
    }
    if (pods.length <= size) return;
    // Like the ReplicaSet controller: not-ready pods first, then the youngest.
    const victims = [...pods]
      .sort(
        (a, b) =>
          Number(podStage(a, now) === 'ready') - Number(podStage(b, now) === 'ready') || b.createdAt - a.createdAt,
      )
      .slice(0, pods.length - size);
    for (const v of victims) {
      this.kubelet.terminate(ns, v.name, now);
      this.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${v.name}`, 'replicaset-controller');
    }
  }

  private writeStatus(d: Deployment, s: DeploymentState, hash: string, newSet: boolean, now: number): void {
    const ns = d.metadata.namespace ?? 'default';
    const desired = d.spec.replicas ?? 1;
    const live = this.kubelet.podsOf(ns, d.metadata.name).filter((rt) => rt.terminatingAt === undefined);
    const ready = live.filter((p) => podStage(p, now) === 'ready').length;
    const updated = live.filter((p) => p.hash === hash).length;
    const total = [...s.sizes.values()].reduce((a, b) => a + b, 0);
    const previous = d.status ?? {};
    // Real API servers omit zero counts (omitempty); clients must treat missing as 0.
    const counts: DeploymentStatus = {};
    if (live.length) counts.replicas = live.length;
    if (updated) counts.updatedReplicas = updated;
    if (ready) counts.readyReplicas = ready;
    if (ready) counts.availableReplicas = ready;
    if (total - ready > 0) counts.unavailableReplicas = total - ready;

    const rsName = `${d.metadata.name}-${hash}`;
    const { unavailable } = rollingParams(d, desired);
    const deadlineMs = (d.spec.progressDeadlineSeconds ?? 600) * 1000 * this.timing.progressDeadlineScale;
    const conditions: Condition[] = nextConditions({
      previous: previous.conditions ?? [],
      before: previous,
      after: counts,
      desired,
      minAvailable: desired - unavailable,
      newSet,
      rsName,
      now,
      deadlineMs,
      onTimeout: () =>
        this.events.record(
          d,
          'Warning',
          'ProgressDeadlineExceeded',
          `Deployment "${d.metadata.name}" has timed out progressing: ReplicaSet "${rsName}" has timed out progressing.`,
        ),
    });
    const status: DeploymentStatus = { observedGeneration: d.metadata.generation ?? 1, ...counts, conditions };
    const revision = String(s.revisions.get(hash) ?? 1);
    // Most ticks change nothing: skip the write (and its serialisation) then.
    if (
      d.metadata.annotations?.[REVISION_ANNOTATION] === revision &&
      JSON.stringify(status) === JSON.stringify(d.status)
    )
      return;
    const annotations = { ...(d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision };
    this.store.update('deployments', { ...d, metadata: { ...d.metadata, annotations }, status });
  }

  /** Pods of every namespace-mate may have moved: each is reconciled on the next tick. */
  private wake(namespace: string): void {
    for (const k of this.resting.keys()) if (k.startsWith(`${namespace}/`)) this.resting.delete(k);
  }

  /** Its status says every desired pod runs the current template and is available, and none is stopping. */
  private complete(d: Deployment): boolean {
    const ns = d.metadata.namespace ?? 'default';
    const st = d.status ?? {};
    const desired = d.spec.replicas ?? 1;
    const terminating = this.kubelet.podsOf(ns, d.metadata.name).some((p) => p.terminatingAt !== undefined);
    return (
      (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
      (st.updatedReplicas ?? 0) === desired &&
      (st.replicas ?? 0) === desired &&
      (st.availableReplicas ?? 0) === desired &&
      !terminating
    );
  }

  /** True when the deployment has converged, or is stuck on an injected failure and nothing moves. */
  isSettled(d: Deployment): boolean {
    const ns = d.metadata.namespace ?? 'default';
    if (this.complete(d)) return true;
    if (!this.failures.hasPodFailure(ns, d.metadata.name)) return false;
    const quietMs = this.timing.podReadyMs + this.timing.podStopMs + 2 * this.timing.tickMs;
    return this.clock() - this.state(d).lastActivity >= quietMs;
  }
}
