/**
 * The simulated kubelet: owns pod runtimes, moves pods through their
 * lifecycle on each tick, applies injected pod failures and records the
 * events a real kubelet would.
 */
import type { EventRecorder } from './events.ts';
import type { Failures } from './failures.ts';
import type { IdGenerator } from './ids.ts';
import { buildPod, podStage, podStatus, restartCount, statusKey, type PodRuntime, type PodStage } from './pods.ts';
import type { Store } from './store.ts';
import type { Timing } from './timing.ts';
import type { Deployment, Pod } from './types.ts';

const NODES = ['eafix-node-a1', 'eafix-node-b2', 'eafix-node-c3'];

export class Kubelet {
  readonly runtimes = new Map<string, PodRuntime>();
  /** Per-pod counter of repeated events already recorded (restarts, pull attempts). */
  private readonly repeats = new Map<string, number>();
  private ipCounter = 0;
  /** Called whenever a deployment's pods change in a way that counts as progress. */
  onActivity: (namespace: string, deployment: string) => void = () => {};

  constructor(
    private readonly store: Store,
    private readonly events: EventRecorder,
    private readonly failures: Failures,
    private readonly ids: IdGenerator,
    private readonly timing: Timing,
  ) {}

  private key(ns: string, name: string): string {
    return `${ns}/${name}`;
  }

  /** Creates a pod; `startedAt` in the past seeds an already-ready pod without events. */
  createPod(d: Deployment, hash: string, rsUid: string, now: number, startedAt?: number): Pod {
    const ns = d.metadata.namespace ?? 'default';
    const name = `${d.metadata.name}-${hash}-${this.ids.suffix()}`;
    const node = NODES[this.ipCounter % NODES.length] ?? 'eafix-node-a1';
    this.ipCounter++;
    const createdAt = startedAt ?? now;
    const failure = (kind: 'imagePull' | 'progressDeadline') =>
      startedAt === undefined && this.failures.podFailureSince(ns, d.metadata.name, kind) !== undefined;
    const rt: PodRuntime = {
      namespace: ns,
      name,
      deployment: d.metadata.name,
      hash,
      createdAt,
      runningAt: createdAt + this.timing.podStartMs,
      readyAt: createdAt + this.timing.podReadyMs,
      mode: failure('progressDeadline') ? 'unschedulable' : failure('imagePull') ? 'imagePull' : 'ok',
      restartBase: 0,
      ip: `10.244.${1 + Math.floor(this.ipCounter / 250)}.${1 + (this.ipCounter % 250)}`,
      node,
    };
    const pod = buildPod(d, hash, name, rsUid, node);
    pod.metadata.creationTimestamp = new Date(createdAt).toISOString();
    pod.status = podStatus(pod, rt, now, this.timing);
    if (startedAt !== undefined) rt.stage = podStage(rt, now);
    this.runtimes.set(this.key(ns, name), rt);
    const created = this.store.create('pods', pod);
    if (startedAt === undefined) this.advance(created, rt, now);
    return created;
  }

  /**
   * Runs a pod another controller built (a StatefulSet's ordinal pod); `owner` groups its pods the way
   * a deployment name does (`statefulset/<name>`), so they never mix with a Deployment's.
   */
  createOwnedPod(pod: Pod, owner: string, now: number, startedAt?: number): Pod {
    const ns = pod.metadata.namespace ?? 'default';
    const node = NODES[this.ipCounter % NODES.length] ?? 'eafix-node-a1';
    this.ipCounter++;
    const rt: PodRuntime = {
      namespace: ns,
      name: pod.metadata.name,
      deployment: owner,
      hash: String(pod.metadata.labels?.['controller-revision-hash'] ?? ''),
      createdAt: startedAt ?? now,
      runningAt: (startedAt ?? now) + this.timing.podStartMs,
      readyAt: (startedAt ?? now) + this.timing.podReadyMs,
      mode: 'ok',
      restartBase: 0,
      ip: `10.244.${1 + Math.floor(this.ipCounter / 250)}.${1 + (this.ipCounter % 250)}`,
      node,
    };
    const placed: Pod = {
      ...pod,
      metadata: { ...pod.metadata, creationTimestamp: new Date(rt.createdAt).toISOString() },
      spec: { ...pod.spec, nodeName: node },
    };
    placed.status = podStatus(placed, rt, now, this.timing);
    if (startedAt !== undefined) rt.stage = podStage(rt, now);
    this.runtimes.set(this.key(ns, pod.metadata.name), rt);
    const created = this.store.create('pods', placed);
    if (startedAt === undefined) this.advance(created, rt, now);
    return created;
  }

  /** Starts graceful termination; `graceSeconds` 0 removes the pod at once. */
  terminate(ns: string, name: string, now: number, graceSeconds?: number): Pod | undefined {
    const rt = this.runtimes.get(this.key(ns, name));
    const pod = this.store.get<Pod>('pods', ns, name);
    if (!pod) return undefined;
    if (graceSeconds === 0 || !rt) {
      this.runtimes.delete(this.key(ns, name));
      if (rt) this.onActivity(ns, rt.deployment);
      return this.store.delete('pods', ns, name) as Pod | undefined;
    }
    if (rt.terminatingAt !== undefined) return pod;
    rt.terminatingAt = now;
    pod.metadata.deletionTimestamp = new Date(now + 30_000).toISOString();
    pod.metadata.deletionGracePeriodSeconds = 30;
    this.onActivity(ns, rt.deployment);
    const updated = this.store.update('pods', pod);
    this.advance(updated, rt, now);
    return this.store.get<Pod>('pods', ns, name);
  }

  tick(now: number): void {
    for (const [k, rt] of this.runtimes) {
      if (!this.store.has('pods', rt.namespace, rt.name)) {
        this.runtimes.delete(k);
        continue;
      }
      if (rt.terminatingAt !== undefined && now >= rt.terminatingAt + this.timing.podStopMs) {
        this.runtimes.delete(k);
        this.store.delete('pods', rt.namespace, rt.name);
        this.onActivity(rt.namespace, rt.deployment);
        continue;
      }
      this.applyFailures(rt, now);
      // Steady pods cost nothing: only re-render when something observable changed.
      if (rt.statusKey === statusKey(rt, now, this.timing)) continue;
      const pod = this.store.get<Pod>('pods', rt.namespace, rt.name);
      if (pod) this.advance(pod, rt, now);
    }
  }

  private applyFailures(rt: PodRuntime, now: number): void {
    const since = (kind: 'crashLoop' | 'imagePull' | 'progressDeadline') =>
      this.failures.podFailureSince(rt.namespace, rt.deployment, kind);
    const recover = () => {
      rt.mode = 'ok';
      rt.runningAt = now + this.timing.podStartMs;
      rt.readyAt = now + this.timing.podReadyMs;
    };
    if (rt.mode === 'unschedulable' && since('progressDeadline') === undefined) recover();
    if (rt.mode === 'imagePull' && since('imagePull') === undefined) recover();
    if (rt.terminatingAt !== undefined || rt.mode !== 'ok' || now < rt.runningAt) return;
    const crashing = since('crashLoop') !== undefined;
    if (crashing && rt.crashSince === undefined) {
      rt.crashSince = now;
    } else if (!crashing && rt.crashSince !== undefined) {
      // The next restart succeeds: a fresh container that must become ready again.
      rt.restartBase = restartCount(rt, now, this.timing);
      rt.crashSince = undefined;
      rt.runningAt = now;
      rt.readyAt = now + (this.timing.podReadyMs - this.timing.podStartMs);
    }
  }

  /** Writes the pod's current status and records events for stage changes. */
  private advance(pod: Pod, rt: PodRuntime, now: number): void {
    const stage = podStage(rt, now);
    const previous = rt.stage;
    rt.stage = stage;
    if (stage !== previous) {
      this.onActivity(rt.namespace, rt.deployment);
      this.recordTransition(pod, previous, stage);
    } else {
      this.recordRepeats(pod, rt, stage, now);
    }
    rt.statusKey = statusKey(rt, now, this.timing);
    this.store.update('pods', { ...pod, status: podStatus(pod, rt, now, this.timing) });
  }

  private recordTransition(pod: Pod, from: PodStage | undefined, to: PodStage): void {
    const c = pod.spec.containers[0];
    const image = c?.image ?? '';
    const container = c?.name ?? 'main';
    const ns = pod.metadata.namespace ?? 'default';
    const started = () => {
      if (from === undefined || from === 'creating' || from === 'pullError' || from === 'unschedulable') {
        this.events.record(
          pod,
          'Normal',
          'Pulled',
          `Successfully pulled image "${image}" in ${this.timing.podStartMs}ms`,
        );
      }
      this.events.record(pod, 'Normal', 'Created', `Created container: ${container}`);
      this.events.record(pod, 'Normal', 'Started', `Started container ${container}`);
    };
    switch (to) {
      case 'creating':
        this.events.record(
          pod,
          'Normal',
          'Scheduled',
          `Successfully assigned ${ns}/${pod.metadata.name} to ${pod.spec.nodeName ?? ''}`,
          'default-scheduler',
        );
        this.events.record(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
        break;
      case 'unschedulable':
        this.events.record(
          pod,
          'Warning',
          'FailedScheduling',
          '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
          'default-scheduler',
        );
        break;
      case 'running':
      case 'ready':
        if (from !== 'running') started();
        break;
      case 'pullError':
        this.events.record(
          pod,
          'Warning',
          'Failed',
          `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`,
        );
        this.events.record(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
        break;
      case 'crash':
        if (from !== 'running' && from !== 'ready') started();
        this.events.record(
          pod,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${container} in pod ${pod.metadata.name}_${ns}(${pod.metadata.uid ?? ''})`,
        );
        break;
      case 'terminating':
        this.events.record(pod, 'Normal', 'Killing', `Stopping container ${container}`);
        break;
    }
  }

  /** Crash loops and image pull back-offs repeat their events on every attempt. */
  private recordRepeats(pod: Pod, rt: PodRuntime, stage: PodStage, now: number): void {
    if (stage !== 'crash' && stage !== 'pullError') return;
    const attempt =
      stage === 'crash'
        ? restartCount(rt, now, this.timing)
        : Math.floor((now - rt.runningAt) / this.timing.restartBackoffMs);
    const k = this.key(rt.namespace, rt.name);
    if ((this.repeats.get(k) ?? attempt) >= attempt) {
      this.repeats.set(k, attempt);
      return;
    }
    this.repeats.set(k, attempt);
    const c = pod.spec.containers[0];
    if (stage === 'crash') {
      this.events.record(
        pod,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${c?.name ?? 'main'} in pod ${pod.metadata.name}_${rt.namespace}(${pod.metadata.uid ?? ''})`,
      );
    } else {
      this.events.record(pod, 'Normal', 'BackOff', `Back-off pulling image "${c?.image ?? ''}"`);
      this.events.record(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
    }
  }

  podsOf(ns: string, deployment: string): PodRuntime[] {
    return [...this.runtimes.values()].filter((rt) => rt.namespace === ns && rt.deployment === deployment);
  }
}
