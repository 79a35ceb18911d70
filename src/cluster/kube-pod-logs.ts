/**
 * `kubectl logs` for every pod of a service: first container of each pod, a header per pod, and a
 * bound on the total so a chatty service cannot flood Slack or memory.
 */
import { AppError } from '../app-error.ts';
import type { PodLogs, PodLogsOptions } from './cluster.ts';
import { formatSelector, namespaceFor, resolveTarget } from './cluster-targets.ts';
import type { KubeContext } from './kube-context.ts';

export const DEFAULT_LOG_BYTES = 1_000_000;

function positiveInt(name: string, value: number | undefined): void {
  if (value === undefined || (Number.isInteger(value) && value > 0)) return;
  throw new AppError('invalid_argument', `${name} must be a whole number above 0 (got ${value}).`);
}

/** Cuts at a byte budget without splitting a UTF-8 character. */
function cutToBytes(text: string, bytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= bytes) return text;
  return buf
    .subarray(0, bytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

export async function podLogs(
  k: KubeContext,
  environment: string,
  targetName: string,
  opts: PodLogsOptions = {},
): Promise<PodLogs> {
  const namespace = namespaceFor(k.topology, environment);
  const target = resolveTarget(k.topology, targetName);
  positiveInt('tailLines', opts.tailLines);
  positiveInt('sinceSeconds', opts.sinceSeconds);
  positiveInt('maxBytes', opts.maxBytes);
  const maxBytes = opts.maxBytes ?? DEFAULT_LOG_BYTES;
  const labelSelector = formatSelector(target.selector);
  const list = await k.requests.run({ verb: 'list', resource: 'pods', namespace }, (o) =>
    k.core.listNamespacedPod({ namespace, labelSelector }, o),
  );
  const pods = list.items
    .filter((p) => p.metadata?.name)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));

  const parts: string[] = [];
  let used = 0;
  let truncated = false;
  const read: string[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const container = pod.spec?.containers[0]?.name;
    const header = `==> ${name}${container ? ` (${container})` : ''} <==\n`;
    const budget = maxBytes - used - Buffer.byteLength(header);
    if (budget <= 0) {
      truncated = true;
      break;
    }
    let body: string;
    let cutByServer = false;
    try {
      const text = await k.requests.run({ verb: 'get', resource: 'pods/log', namespace, name }, (o) =>
        k.core.readNamespacedPodLog(
          {
            name,
            namespace,
            container,
            tailLines: opts.tailLines,
            sinceSeconds: opts.sinceSeconds,
            limitBytes: budget,
          },
          o,
        ),
      );
      cutByServer = Buffer.byteLength(text) >= budget;
      body = text === '' || text.endsWith('\n') ? text : `${text}\n`;
    } catch (error) {
      // A pod still starting or gone has no logs; that is part of the answer, not a failure.
      if (!(error instanceof AppError) || (error.code !== 'cluster_rejected' && error.code !== 'cluster_not_found'))
        throw error;
      body = `(no logs: ${error.userMessage})\n`;
    }
    const chunk = cutToBytes(header + body, maxBytes - used);
    if (cutByServer || chunk.length < header.length + body.length) truncated = true;
    parts.push(chunk);
    used += Buffer.byteLength(chunk);
    read.push(name);
  }
  if (truncated) {
    const skipped = pods.length - read.length;
    parts.push(
      `… truncated at ${Math.round(maxBytes / 1000)} kB${skipped > 0 ? `; ${skipped} more pod(s) not shown` : ''}. Narrow it with tailLines or sinceSeconds.\n`,
    );
  }
  return { text: parts.join(''), pods: read, truncated };
}
