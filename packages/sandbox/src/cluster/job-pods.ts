/**
 * Pods that run a command to completion (a Job's pods): ContainerCreating, then Running for the
 * command's duration, then Succeeded or Failed with `state.terminated.exitCode`. Their log is the
 * command's stdout and stderr, each line appearing when the command writes it.
 */
import type { ResolvedCommand } from './command-behaviours.ts';
import type { LogLine } from './logs.ts';
import type { Condition, ContainerStatus, Pod } from './types.ts';

export interface JobPodRun {
  namespace: string;
  name: string;
  jobUid: string;
  createdAt: number;
  runningAt: number;
  /** Resolved when the container starts. */
  command?: ResolvedCommand;
  /** runningAt + the command's duration, once resolved. */
  finishAt?: number;
  /** Counted into the Job's succeeded/failed. */
  counted?: boolean;
  /** What the last written status was derived from. */
  statusKey?: string;
  hash: string;
}

export type JobPodStage = 'creating' | 'running' | 'succeeded' | 'failed';

export function jobPodStage(run: JobPodRun, now: number): JobPodStage {
  if (now < run.runningAt || !run.command || run.finishAt === undefined) return 'creating';
  if (now < run.finishAt) return 'running';
  return run.command.exitCode === 0 ? 'succeeded' : 'failed';
}

const iso = (t: number) => new Date(t).toISOString();

function condition(type: string, ok: boolean, since: number, reason?: string): Condition {
  return {
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: iso(since),
    ...(reason ? { reason } : {}),
  };
}

export function jobPodStatus(pod: Pod, run: JobPodRun, now: number): NonNullable<Pod['status']> {
  const stage = jobPodStage(run, now);
  const c = pod.spec.containers[0];
  const containerID = `containerd://${run.hash.padEnd(64, '0')}`;
  const base: ContainerStatus = {
    name: c?.name ?? 'main',
    image: c?.image ?? '',
    imageID: '',
    ready: false,
    started: false,
    restartCount: 0,
    state: {},
    lastState: {},
  };
  let status: ContainerStatus;
  if (stage === 'creating') {
    status = { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
  } else if (stage === 'running') {
    status = {
      ...base,
      imageID: `${c?.image ?? ''}@sha256:${run.hash.padEnd(64, '0')}`,
      containerID,
      ready: true,
      started: true,
      state: { running: { startedAt: iso(run.runningAt) } },
    };
  } else {
    const exitCode = run.command?.exitCode ?? 1;
    status = {
      ...base,
      imageID: `${c?.image ?? ''}@sha256:${run.hash.padEnd(64, '0')}`,
      containerID,
      state: {
        terminated: {
          exitCode,
          reason: exitCode === 0 ? 'Completed' : 'Error',
          startedAt: iso(run.runningAt),
          finishedAt: iso(run.finishAt ?? now),
        },
      },
    };
  }
  const running = stage === 'running';
  const done = stage === 'succeeded' || stage === 'failed';
  const readySince = done ? (run.finishAt ?? now) : running ? run.runningAt : run.createdAt;
  return {
    phase: stage === 'creating' ? 'Pending' : running ? 'Running' : stage === 'succeeded' ? 'Succeeded' : 'Failed',
    conditions: [
      condition(
        'PodReadyToStartContainers',
        stage !== 'creating',
        stage === 'creating' ? run.createdAt : run.runningAt,
      ),
      condition('Initialized', true, run.createdAt),
      condition('Ready', running, readySince, running ? undefined : done ? 'PodCompleted' : 'ContainersNotReady'),
      condition(
        'ContainersReady',
        running,
        readySince,
        running ? undefined : done ? 'PodCompleted' : 'ContainersNotReady',
      ),
      condition('PodScheduled', true, run.createdAt),
    ],
    hostIP: '10.0.0.11',
    ...(stage === 'creating'
      ? {}
      : {
          podIP: `10.244.9.${1 + (run.hash.charCodeAt(0) % 250)}`,
          podIPs: [{ ip: `10.244.9.${1 + (run.hash.charCodeAt(0) % 250)}` }],
        }),
    startTime: iso(run.createdAt),
    qosClass: 'BestEffort',
    containerStatuses: [status],
  };
}

/** The container's output so far: stdout then stderr lines spread over the command's run. */
export function jobPodLogLines(run: JobPodRun, now: number): LogLine[] {
  const cmd = run.command;
  if (!cmd || run.finishAt === undefined) return [];
  const texts = [...cmd.stdout, ...cmd.stderr];
  const span = Math.max(1, run.finishAt - run.runningAt);
  return texts
    .map((text, i) => ({ time: run.runningAt + Math.floor((span * (i + 1)) / (texts.length + 1)), text }))
    .filter((l) => l.time <= now || now >= run.finishAt!);
}
