/**
 * Platform commands as batch/v1 Jobs: created with the argv as an array (never a shell string),
 * `backoffLimit: 0`, an active deadline and a TTL; or, when a Job of that deterministic name already
 * exists (a resumed step), re-attached to. Waited for by polling, then its pod's exit code and log tail
 * are read and a trailing JSON stdout line is parsed as the command's structured result.
 */
import { createHash } from 'node:crypto';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';
import { namespaceFor } from './cluster-targets.ts';
import { changeAnnotations } from './change-annotations.ts';
import type { ChangeMeta, PlatformJobs } from './cluster.ts';
import type { KubeContext, KubeOperations } from './kube-context.ts';
import { poll } from './kube-waits.ts';
import type { JobOutcome, JobRequest, JobSummary, RunJobOptions } from './workload-types.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Which command a Job runs: a resumed step only re-attaches to a Job running the same one. */
export const COMMAND_HASH_ANNOTATION = 'eafix.io/command-sha256';
const JOB_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const DEFAULT_TTL_S = 3600;
const DEFAULT_TAIL = 200;
const DEFAULT_LOG_BYTES = 256 * 1024;

/**
 * A deterministic Job name from parts (run id, step…): lower-case DNS label of at most 63 characters,
 * cut with a short hash when long, so the same step always asks for the same Job.
 */
export function platformJobName(...parts: readonly string[]): string {
  const raw = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (raw.length <= 63 && raw !== '') return raw;
  const hash = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 8);
  return `${raw.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

function commandHash(req: JobRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([req.image, req.command]))
    .digest('hex');
}

function validate(req: JobRequest): void {
  const problems: string[] = [];
  if (!DNS_LABEL.test(req.name) || req.name.length > 63)
    problems.push(`the Job name "${req.name}" must be a lower-case DNS label of at most 63 characters`);
  if (req.command.length === 0 || req.command.some((w) => typeof w !== 'string'))
    problems.push('the command must be a non-empty list of words');
  if (!req.image) problems.push('an image is required');
  if (!Number.isInteger(req.activeDeadlineSeconds) || req.activeDeadlineSeconds < 1)
    problems.push('activeDeadlineSeconds must be a whole number above 0');
  if (problems.length > 0)
    throw new AppError('invalid_job', `Cannot run the platform command: ${problems.join('; ')}.`);
}

function jobBody(req: JobRequest, now: Date): V1Job {
  const annotations = Object.fromEntries(
    Object.entries(changeAnnotations(req.change, now)).filter((e): e is [string, string] => e[1] !== null),
  );
  const labels = { 'app.kubernetes.io/managed-by': 'eafix-chatops', ...(req.labels ?? {}) };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: req.name, labels, annotations: { ...annotations, [COMMAND_HASH_ANNOTATION]: commandHash(req) } },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: req.activeDeadlineSeconds,
      ttlSecondsAfterFinished: req.ttlSecondsAfterFinished ?? DEFAULT_TTL_S,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(req.serviceAccountName ? { serviceAccountName: req.serviceAccountName } : {}),
          containers: [
            {
              name: 'command',
              image: req.image,
              command: [...req.command],
              ...(req.env ? { env: Object.entries(req.env).map(([name, value]) => ({ name, value })) } : {}),
              ...(req.resources
                ? { resources: { requests: { ...req.resources.requests }, limits: { ...req.resources.limits } } }
                : {}),
            },
          ],
        },
      },
    },
  };
}

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

function trailingJson(log: string): Record<string, unknown> | undefined {
  const last = log.trimEnd().split('\n').at(-1)?.trim();
  if (!last?.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(last);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
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
  validate(req);
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
