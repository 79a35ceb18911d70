import { isAppError } from '../app-error.ts';

export interface RetryPolicy {
  /** Tries per step, the first included, whatever the budget. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * Beyond `attempts`, upstream failures keep being retried until this long after the step's first
   * failure: long enough to ride out an API-server restart, bounded so a dead upstream still fails the run.
   */
  budgetMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 10_000, budgetMs: 120_000 };

/** Whether a step whose `attempt`-th try just failed upstream gets another one. */
export function mayRetry(policy: RetryPolicy, attempt: number, firstFailureAt: number, now: number): boolean {
  return attempt < policy.attempts || now - firstFailureAt < policy.budgetMs;
}

const transientNetworkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
]);

interface ErrorShape {
  code?: unknown;
  status?: unknown;
  statusCode?: unknown;
  response?: { status?: unknown; statusCode?: unknown };
  cause?: unknown;
}

function httpStatusOf(error: ErrorShape): number | undefined {
  const candidates = [
    error.status,
    error.statusCode,
    error.response?.status,
    error.response?.statusCode,
    // @kubernetes/client-node's ApiException carries the HTTP status as a numeric `code`.
    typeof error.code === 'number' ? error.code : undefined,
  ];
  return candidates.find((value): value is number => typeof value === 'number');
}

/**
 * Only upstream trouble is worth another try: an AppError of kind 'upstream', a transient network
 * error, or an HTTP 5xx/429. Everything else (domain errors, bugs) fails the step at once.
 */
export function isRetryable(error: unknown, depth = 0): boolean {
  if (isAppError(error)) return error.kind === 'upstream';
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const shape = error as ErrorShape;
  if (typeof shape.code === 'string' && transientNetworkCodes.has(shape.code)) return true;
  const status = httpStatusOf(shape);
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  // fetch() reports network failures as TypeError('fetch failed') with the system error as its cause.
  return shape.cause !== undefined && isRetryable(shape.cause, depth + 1);
}

/** Exponential backoff with jitter; a server's Retry-After (when the error carries one) is a floor. */
export function backoffDelay(policy: RetryPolicy, failedAttempt: number, error?: unknown): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempt - 1));
  const jittered = exponential / 2 + Math.random() * (exponential / 2);
  const retryAfter = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof retryAfter === 'number' ? Math.max(jittered, Math.min(retryAfter, policy.maxDelayMs)) : jittered;
}

/**
 * A reason safe to show in Slack: the AppError's user message, or the kind of network trouble.
 * Undefined for anything else: a bug, shown as "something went wrong (ref …)" with details in the log.
 */
export function describeError(error: unknown): string | undefined {
  if (isAppError(error)) return error.userMessage;
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } } | null)?.code ??
    (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof code === 'string' && transientNetworkCodes.has(code)) return `upstream unreachable (${code})`;
  if (typeof error === 'object' && error !== null) {
    const status = httpStatusOf(error as ErrorShape);
    if (status !== undefined && (status >= 500 || status === 429)) return `upstream answered HTTP ${status}`;
  }
  return undefined;
}
