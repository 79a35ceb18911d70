/**
 * Waiting on the cluster the way `kubectl rollout status` and `kubectl wait` decide: each look reads the
 * object; between looks a watch wakes the wait as soon as it changes, with the poll as a bounded resync.
 * Each wait is bounded by its own deadline and the caller's signal; a blip of unreachability while
 * waiting is tolerated until the deadline, since a rollout carries on without us.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../app-error.ts';
import type {
  DeploymentWaits,
  PodsReady,
  RolloutProgress,
  WaitForPodsOptions,
  WaitForRolloutOptions,
} from './cluster.ts';
import { namespaceFor, resolveTarget } from './cluster-targets.ts';
import { progressOf } from './deployment-rollout.ts';
import type { KubeContext, KubeOperations } from './kube-context.ts';
import { watchWakeups, type Wakeups } from './kube-watch.ts';
import { isPodReady, summarisePod } from './pod-summary.ts';

export interface PollOptions<T> {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  pollIntervalMs: number;
  /** One look at the cluster: a value ends the wait, undefined polls again. */
  check: (signal: AbortSignal) => Promise<T | undefined>;
  timedOut: (lastError: AppError | undefined) => Error;
  /** Wakes the wait early when what it checks changes (a watch); without it, the wait only polls. */
  wakeups?: Wakeups;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

export async function poll<T>(o: PollOptions<T>): Promise<T> {
  const deadline = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, deadline]) : deadline;
  let lastError: AppError | undefined;
  try {
    for (;;) {
      try {
        const done = await o.check(signal);
        if (done !== undefined) return done;
        lastError = undefined;
        if (o.wakeups) await o.wakeups.next(o.pollIntervalMs, signal);
        else await sleep(o.pollIntervalMs, undefined, { signal });
      } catch (error) {
        if (o.signal?.aborted) throw o.signal.reason;
        if (deadline.aborted) throw o.timedOut(lastError);
        // Domain errors (forbidden, not found, rollout failed) end the wait; upstream ones may pass.
        if (!(error instanceof AppError) || error.kind !== 'upstream') throw error;
        lastError = error;
        await sleep(o.pollIntervalMs, undefined, { signal }).catch(() => undefined);
        if (o.signal?.aborted) throw o.signal.reason;
        if (deadline.aborted) throw o.timedOut(lastError);
      }
    }
  } finally {
    o.wakeups?.close();
  }
}

function sameProgress(a: RolloutProgress | undefined, b: RolloutProgress): boolean {
  return (
    a !== undefined &&
    a.state === b.state &&
    a.message === b.message &&
    a.ready === b.ready &&
    a.available === b.available
  );
}

export async function waitForRollout(
  k: KubeContext,
  environment: string,
  targetName: string,
  opts: WaitForRolloutOptions,
): Promise<RolloutProgress> {
  const namespace = namespaceFor(k.topology, environment);
  const target = resolveTarget(k.topology, targetName);
  const name = target.deployment;
  let last: RolloutProgress | undefined;
  const wakeups = watchWakeups(
    k.watch,
    { path: `/apis/apps/v1/namespaces/${namespace}/deployments`, query: { fieldSelector: `metadata.name=${name}` } },
    k.logger,
  );
  return poll({
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    pollIntervalMs: k.pollIntervalMs,
    wakeups,
    check: async (signal) => {
      const d = await k.requests.run(
        { verb: 'get', resource: 'deployments', namespace, name },
        (o) => k.apps.readNamespacedDeployment({ name, namespace }, o),
        {
          signal,
          retryOnce: false,
        },
      );
      const progress = progressOf(d);
      if (!sameProgress(last, progress)) opts.onProgress?.(progress);
      last = progress;
      if (progress.state === 'failed') {
        throw new AppError(
          'rollout_failed',
          `The rollout of ${target.name} in ${environment} failed: ${progress.message}`,
          {
            hints: [
              `Pods of ${target.name} that never become ready are the usual cause: check its pods and recent events.`,
            ],
          },
        );
      }
      return progress.state === 'complete' ? progress : undefined;
    },
    timedOut: (lastError) =>
      lastError ??
      new AppError(
        'rollout_timeout',
        `${target.name} in ${environment} did not finish rolling out within ${seconds(opts.timeoutMs)}${last ? `: ${last.message}` : ''}.`,
      ),
  });
}

export async function waitForPodsReady(
  k: KubeContext,
  environment: string,
  labelSelector: string,
  opts: WaitForPodsOptions,
): Promise<PodsReady> {
  const namespace = namespaceFor(k.topology, environment);
  if (labelSelector.trim() === '')
    throw new AppError('invalid_selector', 'A label selector is required, e.g. version=green.');
  let last: PodsReady | undefined;
  const wakeups = watchWakeups(
    k.watch,
    { path: `/api/v1/namespaces/${namespace}/pods`, query: { labelSelector } },
    k.logger,
  );
  return poll({
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    pollIntervalMs: k.pollIntervalMs,
    wakeups,
    check: async (signal) => {
      const list = await k.requests.run(
        { verb: 'list', resource: 'pods', namespace },
        (o) => k.core.listNamespacedPod({ namespace, labelSelector }, o),
        { signal, retryOnce: false },
      );
      const live = list.items.filter((p) => !p.metadata?.deletionTimestamp);
      const ready = live.filter(isPodReady).length;
      const need = opts.minReady ?? Math.max(1, live.length);
      last = { ready, total: live.length, pods: live.map((p) => summarisePod(p, k.now())) };
      return ready >= need ? last : undefined;
    },
    timedOut: (lastError) =>
      lastError ??
      new AppError(
        'pods_not_ready',
        `${last?.ready ?? 0} of ${opts.minReady ?? last?.total ?? 0} pods matching ${labelSelector} in ${environment} became ready within ${seconds(opts.timeoutMs)}.`,
      ),
  });
}

export const waitOperations: KubeOperations<DeploymentWaits> = { waitForRollout, waitForPodsReady };
