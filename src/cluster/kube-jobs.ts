/**
 * Platform commands as batch/v1 Jobs (their body and checks: kube-job-spec.ts): created, or, when a
 * Job of that deterministic name already runs the same command (a resumed step), re-attached to.
 * Waited for by polling, then its pod's exit code and log tail are read and a trailing JSON stdout
 * line is parsed as the command's structured result.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';
import { namespaceFor } from './cluster-targets.ts';
import type { ChangeMeta, PlatformJobs } from './cluster.ts';
import type { KubeContext, KubeOperations } from './kube-context.ts';
import { COMMAND_HASH_ANNOTATION, commandHash, jobBody, trailingJson, validateJob } from './kube-job-spec.ts';
import { poll } from './kube-waits.ts';
import type { JobOutcome, JobRequest, JobSummary, RunJobOptions } from './workload-types.ts';

// Step code names its Jobs with platformJobName; it stays importable from here.
export { COMMAND_HASH_ANNOTATION, platformJobName } from './kube-job-spec.ts';

const JOB_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const DEFAULT_TAIL = 200;
const DEFAULT_LOG_BYTES = 256 * 1024;

async function readJob(
  k: KubeContext,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<V1Job | undefined> {
  try {
    return await k.requests.run(
      { verb: 'get', resource: 'jobs', namespace, name },
      (o) => k.batch.readNamespacedJob({ name, namespace }, o),
      { signal },
    );
  } catch (error) {
    if (error instanceof AppError && error.code === 'cluster_not_found') return undefined;
    throw error;
  }
}

/** The existing Job of that name, or a new one; refuses a same-named Job that runs another command. */
async function createOrAttach(
  k: KubeContext,
  namespace: string,
  req: JobRequest,
  signal?: AbortSignal,
): Promise<{ job: V1Job; attached: boolean }> {
  const mine = commandHash(req);
  const check = (job: V1Job) => {
    if (job.metadata?.annotations?.[COMMAND_HASH_ANNOTATION] === mine) return job;
    throw new AppError(
      'job_name_taken',
      `A Job named ${req.name} already exists in ${namespace} and runs another command; it was not started by this step.`,
      {
        hints: [`Inspect it with: kubectl get job ${req.name} -n ${namespace} -o yaml`],
      },
    );
  };
  const existing = await readJob(k, namespace, req.name, signal);
  if (existing) return { job: check(existing), attached: true };
  try {
    const job = await k.requests.write(
      { verb: 'create', resource: 'jobs', namespace, name: req.name },
      (o) => k.batch.createNamespacedJob({ namespace, body: jobBody(req, new Date(k.now())) }, o),
      {
        impersonate: req.change.impersonate,
        signal,
      },
    );
    return { job, attached: false };
  } catch (error) {
    // Created by a concurrent attempt, or our own create whose answer was lost: read what is there.
    if (!(error instanceof AppError) || (error.code !== 'cluster_conflict' && error.code !== 'cluster_write_unknown'))
      throw error;
    const after = await readJob(k, namespace, req.name, signal);
    if (!after) throw error;
    return { job: check(after), attached: error.code === 'cluster_conflict' };
  }
}

function finishedCondition(
  job: V1Job,
): { type: string; reason?: string; message?: string; lastTransitionTime?: Date } | undefined {
  return job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

async function newestPod(
  k: KubeContext,
  namespace: string,
  job: V1Job,
  signal?: AbortSignal,
): Promise<V1Pod | undefined> {
  const uid = job.metadata?.uid ?? '';
  const list = await k.requests.run(
    { verb: 'list', resource: 'pods', namespace },
    (o) => k.core.listNamespacedPod({ namespace, labelSelector: `${JOB_UID_LABEL}=${uid}` }, o),
    { signal },
  );
  return list.items.sort((a, b) =>
    String(b.metadata?.creationTimestamp?.toISOString() ?? '').localeCompare(
      String(a.metadata?.creationTimestamp?.toISOString() ?? ''),
    ),
  )[0];
}

async function logTail(
  k: KubeContext,
  namespace: string,
  pod: V1Pod,
  opts: RunJobOptions,
): Promise<{ log: string; truncated: boolean }> {
  const name = pod.metadata?.name ?? '';
  const limitBytes = opts.maxLogBytes ?? DEFAULT_LOG_BYTES;
  const tailLines = opts.tailLines ?? DEFAULT_TAIL;
  try {
    const log = await k.requests.run({ verb: 'get', resource: 'pods/log', namespace, name }, (o) =>
      k.core.readNamespacedPodLog(
        { name, namespace, container: pod.spec?.containers[0]?.name, tailLines, limitBytes },
        o,
      ),
    );
    // The server says nothing about what it left out: a full page of lines or bytes may have been cut.
    const lines = log.split('\n').filter((l) => l !== '').length;
    return { log, truncated: Buffer.byteLength(log) >= limitBytes || lines >= tailLines };
  } catch (error) {
    // A pod already removed (deadline, TTL) has no log to read: part of the outcome, not a failure.
    if (error instanceof AppError && (error.code === 'cluster_not_found' || error.code === 'cluster_rejected'))
      return { log: '', truncated: false };
    throw error;
  }
}

export async function runJob(
  k: KubeContext,
  environment: string,
  req: JobRequest,
  opts: RunJobOptions = {},
): Promise<JobOutcome> {
  const namespace = namespaceFor(k.topology, environment);
  validateJob(req);
  const { attached } = await createOrAttach(k, namespace, req, opts.signal);
  opts.onStarted?.({ name: req.name, namespace, attached });
  k.logger.info(
    { namespace, job: req.name, attached, requestId: req.change.requestId },
    attached ? 'platform job re-attached' : 'platform job created',
  );
  const timeoutMs = opts.timeoutMs ?? (req.activeDeadlineSeconds + 60) * 1000;
  const done = await poll({
    timeoutMs,
    signal: opts.signal,
    pollIntervalMs: k.pollIntervalMs,
    check: async (signal) => {
      const current = await readJob(k, namespace, req.name, signal);
      if (!current)
        throw new AppError('job_gone', `The Job ${req.name} in ${namespace} was deleted before it finished.`);
      return finishedCondition(current) ? current : undefined;
    },
    timedOut: (lastError) =>
      lastError ??
      new AppError(
        'job_timeout',
        `The Job ${req.name} in ${namespace} did not finish within ${Math.round(timeoutMs / 1000)} s.`,
        { kind: 'upstream' },
      ),
  });
  const condition = finishedCondition(done);
  const pod = await newestPod(k, namespace, done, opts.signal);
  const terminated = pod?.status?.containerStatuses?.[0]?.state?.terminated;
  const { log, truncated } = pod ? await logTail(k, namespace, pod, opts) : { log: '', truncated: false };
  const succeeded = condition?.type === 'Complete';
  return {
    name: req.name,
    namespace,
    succeeded,
    ...(succeeded ? {} : { reason: condition?.reason, message: condition?.message }),
    exitCode: terminated?.exitCode,
    attached,
    pod: pod?.metadata?.name,
    log,
    logTruncated: truncated,
    result: trailingJson(log),
    startedAt: done.status?.startTime?.toISOString(),
    finishedAt: (done.status?.completionTime ?? condition?.lastTransitionTime)?.toISOString(),
  };
}

export async function listJobs(k: KubeContext, environment: string, labelSelector: string): Promise<JobSummary[]> {
  const namespace = namespaceFor(k.topology, environment);
  const list = await k.requests.run({ verb: 'list', resource: 'jobs', namespace }, (o) =>
    k.batch.listNamespacedJob({ namespace, labelSelector }, o),
  );
  return list.items.map((job) => {
    const c = finishedCondition(job);
    return {
      name: job.metadata?.name ?? '',
      namespace,
      state: c ? (c.type === 'Complete' ? 'succeeded' : 'failed') : 'running',
      ...(c?.type === 'Failed' && c.reason ? { reason: c.reason } : {}),
      labels: { ...(job.metadata?.labels ?? {}) },
      createdAt: job.metadata?.creationTimestamp?.toISOString(),
      finishedAt: (job.status?.completionTime ?? c?.lastTransitionTime)?.toISOString(),
    };
  });
}

/** Deletes a Job and its pods (Background propagation); true when there was one to delete. */
export async function cancelJob(
  k: KubeContext,
  environment: string,
  name: string,
  change: ChangeMeta,
): Promise<boolean> {
  const namespace = namespaceFor(k.topology, environment);
  try {
    await k.requests.write(
      { verb: 'delete', resource: 'jobs', namespace, name },
      (o) => k.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' }, o),
      {
        impersonate: change.impersonate,
      },
    );
    k.logger.info({ namespace, job: name, requestId: change.requestId }, 'platform job deleted');
    return true;
  } catch (error) {
    if (error instanceof AppError && error.code === 'cluster_not_found') return false;
    throw error;
  }
}

export const jobOperations: KubeOperations<PlatformJobs> = { runJob, listJobs, cancelJob };
