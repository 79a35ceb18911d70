/**
 * The Job controller and the kubelet's part for Job pods: one pod at a time per free parallelism
 * slot, retries up to `backoffLimit` (with back-off), `activeDeadlineSeconds`, the `Complete` and
 * `Failed` conditions, and `ttlSecondsAfterFinished` clean-up (the Job deleted, its pods collected).
 */
import type { CommandBehaviours } from './command-behaviours.ts';
import type { EventRecorder } from './events.ts';
import { hashString, type IdGenerator } from './ids.ts';
import {
  CONTROLLER_UID_LABEL,
  isFinished,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
  type Job,
  type JobStatus,
} from './job-types.ts';
import { jobPodStage, jobPodStatus, type JobPodRun } from './job-pods.ts';
import { controllerRef } from './pods.ts';
import type { Platform } from './platform-state.ts';
import type { Store } from './store.ts';
import type { Timing } from './timing.ts';
import type { Condition, Pod } from './types.ts';

interface JobCounts {
  succeeded: number;
  failed: number;
  lastFailureAt?: number;
}

const iso = (t: number) => new Date(t).toISOString();

export class JobController {
  readonly runs = new Map<string, JobPodRun>();
  private readonly counts = new Map<string, JobCounts>();

  constructor(
    private readonly store: Store,
    private readonly events: EventRecorder,
    private readonly ids: IdGenerator,
    private readonly timing: Timing,
    private readonly behaviours: CommandBehaviours,
    private readonly platform: Platform,
  ) {}

  tick(now: number): void {
    this.tickPods(now);
    for (const job of this.store.list<Job>('jobs')) {
      if (job.metadata.deletionTimestamp) continue;
      if (isFinished(job)) this.expire(job, now);
      else this.reconcile(job, now);
    }
  }

  /** The kubelet's half: start containers, resolve their command, finish them, write pod status. */
  private tickPods(now: number): void {
    for (const [key, run] of this.runs) {
      const pod = this.store.get<Pod>('pods', run.namespace, run.name);
      if (!pod) {
        this.runs.delete(key);
        continue;
      }
      if (!run.command && now >= run.runningAt) this.start(pod, run);
      const stage = jobPodStage(run, now);
      const before = run.statusKey;
      if (before === stage) continue;
      run.statusKey = stage;
      if (stage === 'running' && before === 'creating') {
        const c = pod.spec.containers[0];
        this.events.record(pod, 'Normal', 'Pulled', `Container image "${c?.image ?? ''}" already present on machine`);
        this.events.record(pod, 'Normal', 'Created', `Created container: ${c?.name ?? 'main'}`);
        this.events.record(pod, 'Normal', 'Started', `Started container ${c?.name ?? 'main'}`);
      }
      if ((stage === 'succeeded' || stage === 'failed') && run.command?.effect) {
        const effect = run.command.effect;
        this.platform.update(run.namespace, effect);
      }
      this.store.update('pods', { ...pod, status: jobPodStatus(pod, run, now) });
    }
  }

  private start(pod: Pod, run: JobPodRun): void {
    const c = pod.spec.containers[0];
    const argv = [...((c?.command as string[] | undefined) ?? []), ...((c?.args as string[] | undefined) ?? [])];
    const env: Record<string, string> = {};
    for (const e of (c?.env as { name: string; value?: string }[] | undefined) ?? [])
      if (typeof e.value === 'string') env[e.name] = e.value;
    run.command = this.behaviours.resolve({
      argv,
      image: c?.image ?? '',
      namespace: run.namespace,
      pod: run.name,
      env,
      platform: this.platform.state(run.namespace),
      platformOf: (ns) => (this.store.has('namespaces', undefined, ns) ? this.platform.state(ns) : undefined),
    });
    run.finishAt = run.runningAt + Math.round(run.command.durationMs * this.timing.commandScale);
  }

  private podsOf(job: Job): JobPodRun[] {
    return [...this.runs.values()].filter((r) => r.jobUid === job.metadata.uid);
  }

  private reconcile(job: Job, now: number): void {
    const uid = job.metadata.uid ?? '';
    const counts = this.counts.get(uid) ?? { succeeded: 0, failed: 0 };
    this.counts.set(uid, counts);
    const startTime = job.status?.startTime ? Date.parse(job.status.startTime) : now;
    const runs = this.podsOf(job);
    for (const run of runs) {
      const stage = jobPodStage(run, now);
      if (run.counted || (stage !== 'succeeded' && stage !== 'failed')) continue;
      run.counted = true;
      if (stage === 'succeeded') counts.succeeded++;
      else {
        counts.failed++;
        counts.lastFailureAt = run.finishAt ?? now;
      }
    }
    const active = runs.filter((r) => !r.counted);
    const completions = job.spec.completions ?? 1;
    const backoffLimit = job.spec.backoffLimit ?? 6;
    const deadline = job.spec.activeDeadlineSeconds;
    let finished: Condition | undefined;
    if (counts.succeeded >= completions) {
      finished = this.condition('Complete', now);
      this.events.record(job, 'Normal', 'Completed', 'Job completed', 'job-controller');
    } else if (counts.failed > backoffLimit) {
      finished = this.condition('Failed', now, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
    } else if (deadline !== undefined && now - startTime >= deadline * 1000) {
      finished = this.condition('Failed', now, 'DeadlineExceeded', 'Job was active longer than specified deadline');
    }
    if (finished) {
      // Like the controller: a failed Job's still-running pods are deleted.
      for (const run of active) this.deletePod(job, run);
      if (finished.type === 'Failed')
        this.events.record(job, 'Warning', finished.reason ?? 'Failed', finished.message ?? '', 'job-controller');
      this.writeStatus(job, {
        startTime: iso(startTime),
        succeeded: counts.succeeded,
        failed: counts.failed,
        active: 0,
        ready: 0,
        conditions: [finished],
        ...(finished.type === 'Complete' ? { completionTime: iso(now) } : {}),
      });
      return;
    }
    const parallelism = Math.min(job.spec.parallelism ?? 1, completions - counts.succeeded);
    // Exponential back-off after a failure, as the controller delays its replacement pod.
    const backoff = counts.failed > 0 ? this.timing.restartBackoffMs * 2 ** (counts.failed - 1) : 0;
    const mayCreate = counts.lastFailureAt === undefined || now >= counts.lastFailureAt + backoff;
    let live = active.length;
    while (mayCreate && live < parallelism) {
      this.createPod(job, now);
      live++;
    }
    const ready = this.podsOf(job).filter((r) => jobPodStage(r, now) === 'running').length;
    this.writeStatus(job, {
      startTime: iso(startTime),
      active: live,
      ready,
      ...(counts.succeeded ? { succeeded: counts.succeeded } : {}),
      ...(counts.failed ? { failed: counts.failed } : {}),
    });
  }

  private condition(type: 'Complete' | 'Failed', now: number, reason?: string, message?: string): Condition {
    return {
      type,
      status: 'True',
      lastProbeTime: iso(now),
      lastTransitionTime: iso(now),
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    };
  }

  private writeStatus(job: Job, next: JobStatus): void {
    const status: JobStatus = { ...next, uncountedTerminatedPods: {} };
    if (JSON.stringify(status) === JSON.stringify(job.status)) return;
    this.store.update('jobs', { ...job, status });
  }

  private createPod(job: Job, now: number): void {
    const ns = job.metadata.namespace ?? 'default';
    const name = `${job.metadata.name}-${this.ids.suffix()}`;
    const uid = job.metadata.uid ?? '';
    const template = structuredClone(job.spec.template);
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName: `${job.metadata.name}-`,
        namespace: ns,
        labels: {
          ...(template.metadata?.labels ?? {}),
          [CONTROLLER_UID_LABEL]: uid,
          [JOB_NAME_LABEL]: job.metadata.name,
          [LEGACY_CONTROLLER_UID_LABEL]: uid,
          [LEGACY_JOB_NAME_LABEL]: job.metadata.name,
        },
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
        ownerReferences: [controllerRef('batch/v1', 'Job', job.metadata.name, uid)],
      },
      spec: {
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
        serviceAccountName: 'default',
        ...template.spec,
        nodeName: 'eafix-node-a1',
      },
    };
    const run: JobPodRun = {
      namespace: ns,
      name,
      jobUid: uid,
      createdAt: now,
      runningAt: now + this.timing.podStartMs,
      hash: hashString(`${ns}/${name}`).toString(16),
    };
    pod.status = jobPodStatus(pod, run, now);
    run.statusKey = 'creating';
    this.runs.set(`${ns}/${name}`, run);
    const created = this.store.create('pods', pod);
    this.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, 'job-controller');
    this.events.record(
      created,
      'Normal',
      'Scheduled',
      `Successfully assigned ${ns}/${name} to eafix-node-a1`,
      'default-scheduler',
    );
  }

  private deletePod(job: Job, run: JobPodRun): void {
    this.runs.delete(`${run.namespace}/${run.name}`);
    if (this.store.delete('pods', run.namespace, run.name))
      this.events.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${run.name}`, 'job-controller');
  }

  /** ttlSecondsAfterFinished: the TTL controller deletes the Job in the background. */
  private expire(job: Job, now: number): void {
    const ttl = job.spec.ttlSecondsAfterFinished;
    const finishedAt = job.status?.conditions?.find((c) => c.status === 'True')?.lastTransitionTime;
    if (ttl === undefined || !finishedAt || now < Date.parse(finishedAt) + ttl * 1000) return;
    this.store.delete('jobs', job.metadata.namespace, job.metadata.name);
    this.counts.delete(job.metadata.uid ?? '');
  }

  /** Pods of the Job with this uid, for its deletion (foreground/background) and GC. */
  forget(jobUid: string): void {
    this.counts.delete(jobUid);
  }
}
