/**
 * Pod lifecycle: building a pod from a deployment template, and deriving its
 * status (phase, conditions, container state) from its runtime record and the
 * simulated time.
 */
import type { Timing } from './timing.ts';
import type { Condition, ContainerStatus, Deployment, Pod } from './types.ts';

/** What the simulated kubelet knows about a pod. */
export interface PodRuntime {
  namespace: string;
  name: string;
  deployment: string;
  hash: string;
  createdAt: number;
  runningAt: number;
  readyAt: number;
  mode: 'ok' | 'imagePull' | 'unschedulable';
  /** Set while crash-looping: when the crash loop began for this pod. */
  crashSince?: number;
  /** Restarts accumulated by earlier crash loops. */
  restartBase: number;
  terminatingAt?: number;
  ip: string;
  node: string;
  /** The last stage events were emitted for. */
  stage?: PodStage;
  /** statusKey() of the last status written, to skip unchanged pods cheaply. */
  statusKey?: string;
}

export type PodStage = 'unschedulable' | 'creating' | 'pullError' | 'running' | 'ready' | 'crash' | 'terminating';

export function podStage(rt: PodRuntime, now: number): PodStage {
  if (rt.terminatingAt !== undefined) return 'terminating';
  if (rt.mode === 'unschedulable') return 'unschedulable';
  if (now < rt.runningAt) return 'creating';
  if (rt.mode === 'imagePull') return 'pullError';
  if (rt.crashSince !== undefined) return 'crash';
  return now >= rt.readyAt ? 'ready' : 'running';
}

/** Everything podStatus() depends on that changes over time; equal keys mean equal status. */
export function statusKey(rt: PodRuntime, now: number, timing: Timing): string {
  const stage = podStage(rt, now);
  const pullPhase = stage === 'pullError' ? Math.floor(((now - rt.runningAt) * 4) / timing.restartBackoffMs) : 0;
  return `${stage}|${restartCount(rt, now, timing)}|${pullPhase}|${rt.runningAt}|${rt.readyAt}`;
}

export function restartCount(rt: PodRuntime, now: number, timing: Timing): number {
  if (rt.crashSince === undefined) return rt.restartBase;
  return rt.restartBase + 1 + Math.floor(Math.max(0, now - rt.crashSince) / timing.restartBackoffMs);
}

const iso = (t: number) => new Date(t).toISOString();

function condition(type: string, ok: boolean, since: number, reason?: string, message?: string): Condition {
  const c: Condition = { type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: iso(since) };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

function containerStatus(pod: Pod, rt: PodRuntime, now: number, timing: Timing): ContainerStatus[] {
  return pod.spec.containers.map((c) => {
    const stage = podStage(rt, now);
    const imageID =
      stage === 'creating' || stage === 'pullError'
        ? ''
        : `${c.image.split(':')[0] ?? c.image}@sha256:${rt.hash.padEnd(64, '0')}`;
    const restarts = restartCount(rt, now, timing);
    const status: ContainerStatus = {
      name: c.name,
      image: c.image,
      imageID,
      ready: false,
      started: false,
      restartCount: restarts,
      state: {},
      lastState: {},
    };
    if (stage === 'creating' || stage === 'terminating') {
      status.state =
        stage === 'creating'
          ? { waiting: { reason: 'ContainerCreating' } }
          : { running: { startedAt: iso(rt.runningAt) } };
    } else if (stage === 'pullError') {
      // Alternates like the kubelet: a failed pull, then back-off until the next attempt.
      const attempt = Math.floor((now - rt.runningAt) / timing.restartBackoffMs);
      const pulling = now - rt.runningAt - attempt * timing.restartBackoffMs < timing.restartBackoffMs / 4;
      status.state = pulling
        ? {
            waiting: {
              reason: 'ErrImagePull',
              message: `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": not found`,
            },
          }
        : { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } };
    } else if (stage === 'crash') {
      status.containerID = `containerd://${rt.hash}${rt.name.length}${restarts}`;
      status.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${Math.round(timing.restartBackoffMs / 100) / 10}s restarting failed container=${c.name} pod=${rt.name}_${rt.namespace}`,
        },
      };
      status.lastState = {
        terminated: {
          exitCode: 1,
          reason: 'Error',
          startedAt: iso(rt.crashSince ?? now),
          finishedAt: iso((rt.crashSince ?? now) + 125),
        },
      };
    } else {
      status.containerID = `containerd://${rt.hash}${rt.name.length}${restarts}`;
      status.state = { running: { startedAt: iso(rt.runningAt) } };
      status.ready = stage === 'ready';
      status.started = true;
      if (rt.restartBase > 0)
        status.lastState = { terminated: { exitCode: 1, reason: 'Error', finishedAt: iso(rt.runningAt) } };
    }
    return status;
  });
}

export function podStatus(pod: Pod, rt: PodRuntime, now: number, timing: Timing): NonNullable<Pod['status']> {
  const stage = podStage(rt, now);
  if (stage === 'unschedulable') {
    return {
      phase: 'Pending',
      qosClass: 'Burstable',
      conditions: [
        condition(
          'PodScheduled',
          false,
          rt.createdAt,
          'Unschedulable',
          '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
        ),
      ],
    };
  }
  const running = stage !== 'creating' && stage !== 'pullError';
  const ready = stage === 'ready' || (stage === 'terminating' && now >= rt.readyAt && rt.crashSince === undefined);
  const notReady =
    stage === 'crash'
      ? `containers with unready status: [${pod.spec.containers.map((c) => c.name).join(' ')}]`
      : undefined;
  const readySince = ready ? rt.readyAt : stage === 'crash' ? (rt.crashSince ?? rt.createdAt) : rt.createdAt;
  return {
    phase: running ? 'Running' : 'Pending',
    conditions: [
      condition('PodReadyToStartContainers', running, running ? rt.runningAt : rt.createdAt),
      condition('Initialized', true, rt.createdAt),
      condition('Ready', ready, readySince, ready ? undefined : 'ContainersNotReady', notReady),
      condition('ContainersReady', ready, readySince, ready ? undefined : 'ContainersNotReady', notReady),
      condition('PodScheduled', true, rt.createdAt),
    ],
    hostIP: `10.0.0.${10 + (rt.node.charCodeAt(rt.node.length - 1) % 10)}`,
    ...(running ? { podIP: rt.ip, podIPs: [{ ip: rt.ip }] } : {}),
    startTime: iso(rt.createdAt),
    qosClass: 'Burstable',
    containerStatuses: containerStatus(pod, rt, now, timing),
  };
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The API server's defaults for a pod spec, under whatever the template sets. */
export const POD_SPEC_DEFAULTS = {
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  dnsPolicy: 'ClusterFirst',
  schedulerName: 'default-scheduler',
  serviceAccountName: 'default',
} as const;

/** The owner reference a controller puts on what it creates (garbage collection follows it). */
export function controllerRef(apiVersion: string, kind: string, name: string, uid: string) {
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

/** A new pod for a deployment's current template, as its ReplicaSet would create it. */
export function buildPod(d: Deployment, hash: string, name: string, rsUid: string, node: string): Pod {
  const template = structuredClone(d.spec.template);
  const annotations = template.metadata?.annotations;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${d.metadata.name}-${hash}-`,
      namespace: d.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash },
      ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
      ownerReferences: [controllerRef('apps/v1', 'ReplicaSet', `${d.metadata.name}-${hash}`, rsUid)],
    },
    spec: {
      ...POD_SPEC_DEFAULTS,
      ...template.spec,
      nodeName: node,
    },
  };
}
