/**
 * Turns whatever @kubernetes/client-node throws into an AppError people can act on. Network failures,
 * timeouts, 5xx and 429 are upstream (retried with back-off by the job runner); 4xx are domain.
 */
import { ApiException } from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';

/** What a request was trying to do, for messages: "may not patch deployments/scale in eafix-production". */
export interface KubeOp {
  verb: string;
  /** Plural resource, with subresource: deployments, deployments/scale, pods/log. */
  resource: string;
  namespace?: string;
  name?: string;
  /** The impersonated user, when the request was sent as someone else. */
  as?: string;
}

export interface KubeStatus {
  code?: number;
  reason?: string;
  message?: string;
  details?: { name?: string; kind?: string; retryAfterSeconds?: number };
}

export interface ErrorContext {
  server: string;
  timeoutMs: number;
  /** Our per-request timeout fired (as opposed to the socket failing by itself). */
  timedOut: boolean;
  /** The request was a write: a lost answer leaves its outcome unknown. */
  write?: boolean;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

/** ApiException.body is the response text: a JSON Status for API errors, anything for proxies. */
export function parseStatus(body: unknown): KubeStatus | undefined {
  if (body !== null && typeof body === 'object') return body as KubeStatus;
  if (typeof body !== 'string' || body.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' ? (parsed as KubeStatus) : undefined;
  } catch {
    return { message: body.slice(0, 300) };
  }
}

function hostOf(server: string): string {
  try {
    return new URL(server).host;
  } catch {
    return server;
  }
}

function subject(op: KubeOp): string {
  return op.name ? `${op.resource} ${op.name}` : op.resource;
}

function where(op: KubeOp): string {
  return op.namespace ? ` in ${op.namespace}` : '';
}

function networkCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; errno?: unknown; message?: unknown; type?: unknown; cause?: unknown };
  const code = typeof e.code === 'string' ? e.code : typeof e.errno === 'string' ? e.errno : undefined;
  if (code && NETWORK_CODES.has(code)) return code;
  const message = typeof e.message === 'string' ? e.message : '';
  if (/socket hang up/i.test(message)) return 'ECONNRESET';
  const found = [...NETWORK_CODES].find((c) => message.includes(c));
  if (found) return found;
  return e.cause && e.cause !== error ? networkCode(e.cause) : undefined;
}

/** The request may have reached the API server: a timeout or a connection dropped after sending. */
function maybeSent(ctx: ErrorContext, code: string | undefined): boolean {
  return ctx.timedOut || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || code === undefined;
}

/** A write whose answer was lost may have been applied: say so, so nobody assumes it was not. */
function unknownOutcome(error: unknown, op: KubeOp, why: string): AppError {
  return new AppError(
    'cluster_write_unknown',
    `The Kubernetes API ${why} on ${op.verb} ${subject(op)}${where(op)}, so the change may or may not have been applied; the bot re-reads ${subject(op)} before any retry.`,
    { kind: 'upstream', cause: error },
  );
}

function unreachable(error: unknown, op: KubeOp, ctx: ErrorContext, code: string | undefined): AppError {
  const host = hostOf(ctx.server);
  const why = ctx.timedOut
    ? `did not answer within ${Math.round(ctx.timeoutMs / 100) / 10} s`
    : code === 'ECONNREFUSED'
      ? 'refused the connection'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'could not be resolved'
        : code === 'ECONNRESET' || code === 'EPIPE'
          ? 'dropped the connection'
          : `is unreachable (${code ?? 'network error'})`;
  if (ctx.write && maybeSent(ctx, code)) return unknownOutcome(error, op, `at ${host} ${why}`);
  return new AppError(
    'cluster_unreachable',
    `The Kubernetes API at ${host} ${why} (${op.verb} ${subject(op)}${where(op)}).`,
    {
      kind: 'upstream',
      cause: error,
    },
  );
}

/** Kubernetes names the refused user and what they may not do: `User "x" cannot impersonate resource "users"`. */
const REFUSAL = /User "([^"]+)" cannot (\S+) resource "([^"]+)"/;

function forbidden(error: ApiException<unknown>, op: KubeOp, detail: string): AppError {
  const refusal = REFUSAL.exec(detail);
  const refusedUser = refusal?.[1];
  // The bot itself is refused when it may not impersonate, even though the request was sent "as" someone.
  const impersonatedRefused = op.as !== undefined && (refusedUser === undefined || refusedUser === op.as);
  const who = impersonatedRefused
    ? `${op.as} (impersonated by the bot)`
    : `The bot's Kubernetes account${refusedUser ? ` (${refusedUser})` : ''}`;
  const verb = refusal?.[2] ?? op.verb;
  const what =
    refusal && verb === 'impersonate'
      ? `impersonate ${refusal[3]}${op.as ? ` (to act as ${op.as})` : ''}`
      : `${verb} ${refusal?.[3] ?? op.resource}${where(op)}`;
  return new AppError('cluster_forbidden', `${who} may not ${what}: ${detail}`, { cause: error });
}

/** Seconds the server asked us to wait (Retry-After header or Status details), when it said. */
export function retryAfterSeconds(error: unknown): number | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const headers = (error.headers ?? {}) as Record<string, string | undefined>;
  const header = headers['retry-after'] ?? headers['Retry-After'];
  const fromHeader = header !== undefined && /^\d+$/.test(header.trim()) ? Number(header) : undefined;
  return fromHeader ?? parseStatus(error.body)?.details?.retryAfterSeconds;
}

function fromStatus(error: ApiException<unknown>, op: KubeOp, ctx: ErrorContext): AppError {
  const status = parseStatus(error.body);
  const detail = status?.message ?? `HTTP ${error.code}`;
  const code = error.code;
  if (code === 403) return forbidden(error, op, detail);
  if (code === 404) {
    const kind = status?.details?.kind ?? op.resource.split('/')[0];
    const name = status?.details?.name ?? op.name;
    const what = name ? `${kind} ${name}` : kind;
    return new AppError('cluster_not_found', `Kubernetes has no ${what}${where(op)}.`, { cause: error });
  }
  if (code === 401) {
    return new AppError('cluster_unauthorized', 'The Kubernetes API rejected the bot’s credentials (HTTP 401).', {
      cause: error,
      hints: ['Check the kubeconfig user or the service account token the bot runs with.'],
    });
  }
  if (code === 409) {
    return new AppError(
      'cluster_conflict',
      `${subject(op)}${where(op)} kept changing while the bot updated it; try again.`,
      {
        kind: 'upstream',
        cause: error,
      },
    );
  }
  // A 500 or 504 may come after the change was stored; 429 and 503 are refusals before any work.
  if (ctx.write && (code === 500 || code === 504)) return unknownOutcome(error, op, `failed (HTTP ${code}: ${detail})`);
  if (code === 429 || code >= 500) {
    const why = code === 429 ? 'is rate limiting the bot' : `failed (HTTP ${code})`;
    return new AppError(
      'cluster_error',
      `The Kubernetes API ${why} on ${op.verb} ${subject(op)}${where(op)}: ${detail}`,
      {
        kind: 'upstream',
        cause: error,
      },
    );
  }
  return new AppError('cluster_rejected', `Kubernetes refused to ${op.verb} ${subject(op)}${where(op)}: ${detail}`, {
    cause: error,
  });
}

export function toAppError(error: unknown, op: KubeOp, ctx: ErrorContext): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ApiException) return fromStatus(error, op, ctx);
  const code = networkCode(error);
  const name = (error as { name?: unknown }).name;
  if (ctx.timedOut || code || name === 'AbortError' || name === 'FetchError') return unreachable(error, op, ctx, code);
  const message = error instanceof Error ? error.message : String(error);
  return new AppError(
    'cluster_error',
    `The Kubernetes request failed (${op.verb} ${subject(op)}${where(op)}): ${message}`,
    {
      kind: 'upstream',
      cause: error,
    },
  );
}
