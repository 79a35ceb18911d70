/**
 * What a platform command's Job is, before any request: its deterministic name, the checks on the
 * request, the batch/v1 body (argv as an array, `backoffLimit: 0`, a deadline and a TTL) with the hash
 * of the command it runs, and the structured result a command prints as its last stdout line.
 */
import { createHash } from 'node:crypto';
import type { V1Job } from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';
import { changeAnnotations } from './change-annotations.ts';
import type { JobRequest } from './workload-types.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Which command a Job runs: a resumed step only re-attaches to a Job running the same one. */
export const COMMAND_HASH_ANNOTATION = 'eafix.io/command-sha256';
const DEFAULT_TTL_S = 3600;

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

export function commandHash(req: JobRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([req.image, req.command]))
    .digest('hex');
}

export function validateJob(req: JobRequest): void {
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

export function jobBody(req: JobRequest, now: Date): V1Job {
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

export function trailingJson(log: string): Record<string, unknown> | undefined {
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
