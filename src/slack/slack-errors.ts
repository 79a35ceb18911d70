import { ErrorCode } from '@slack/web-api';
import { AppError } from '../app-error.ts';
import { systemClock, type Clock } from '../clock.ts';

/** Slack answered 429: the caller decides what to send after `retryAfterMs` (usually the latest state). */
export class SlackRateLimitedError extends AppError {
  readonly retryAfterMs: number;
  constructor(method: string, retryAfterMs: number) {
    super('slack_rate_limited', `Slack is rate limiting ${method}; retry in ${Math.ceil(retryAfterMs / 1000)} s`, {
      kind: 'upstream',
    });
    this.retryAfterMs = retryAfterMs;
  }
}

export function isSlackRateLimited(error: unknown): error is SlackRateLimitedError {
  return error instanceof SlackRateLimitedError;
}

// Slack-side trouble worth another try; every other platform error is about our request.
const transientPlatformErrors = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

/** Maps a WebClient failure to an AppError: upstream (retry) for Slack's or the network's trouble, domain for refusals. */
export function toSlackAppError(method: string, error: unknown): AppError {
  const coded = error as { code?: unknown; retryAfter?: unknown; data?: { error?: unknown }; statusCode?: unknown };
  switch (coded.code) {
    case ErrorCode.RateLimitedError:
      return new SlackRateLimitedError(method, Math.max(1, Number(coded.retryAfter) || 1) * 1000);
    case ErrorCode.PlatformError: {
      const slackError = String(coded.data?.error ?? 'unknown_error');
      if (slackError === 'ratelimited') return new SlackRateLimitedError(method, 1000);
      return new AppError(`slack_${slackError}`, `Slack refused ${method}: ${slackError}`, {
        cause: error,
        kind: transientPlatformErrors.has(slackError) ? 'upstream' : 'domain',
      });
    }
    case ErrorCode.RequestError:
    case ErrorCode.HTTPError:
      return new AppError('slack_unavailable', `Slack could not be reached for ${method}`, {
        cause: error,
        kind: 'upstream',
      });
    default:
      return new AppError('slack_call_failed', `Slack call ${method} failed`, { cause: error, kind: 'upstream' });
  }
}

/** Runs one Web API call; its failure surfaces as the AppError `toSlackAppError` maps it to. */
export async function callSlack<T>(method: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toSlackAppError(method, error);
  }
}

type RawPlatformData = { error?: string; errors?: Array<{ user?: string; error?: string }> };

/** The `data` of a Slack platform error (ok: false), or undefined for any other failure. */
export function slackPlatformError(error: unknown): RawPlatformData | undefined {
  const e = error as { code?: unknown; data?: RawPlatformData };
  return e?.code === ErrorCode.PlatformError ? e.data : undefined;
}

/** What to do about a failed Slack call. */
export type SlackFailure = { retry: 'after'; delayMs: number } | { retry: 'backoff' } | { retry: 'never' };

export function slackFailure(error: unknown): SlackFailure {
  if (isSlackRateLimited(error)) return { retry: 'after', delayMs: error.retryAfterMs };
  if (error instanceof AppError && error.kind === 'domain') return { retry: 'never' };
  return { retry: 'backoff' };
}

/** Exponential backoff with jitter, capped: 0.5 s, 1 s, 2 s … `maxMs`. */
export function backoffMs(attempt: number, maxMs = 30_000, random: () => number = Math.random): number {
  const base = Math.min(maxMs, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * Retries a direct Slack call (ephemeral replies, modals, channel set-up) inside a deadline: 429s after
 * Retry-After when it fits, Slack's and the network's trouble with backoff. Refusals are not retried.
 */
export async function withSlackRetries<T>(
  work: () => Promise<T>,
  deadlineMs: number,
  clock: Clock = systemClock,
): Promise<T> {
  const started = clock.now().getTime();
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const failure = slackFailure(error);
      if (failure.retry === 'never') throw error;
      const delay = failure.retry === 'after' ? failure.delayMs : backoffMs(attempt, 4_000);
      if (clock.now().getTime() - started + delay > deadlineMs) throw error;
      await clock.sleep(delay);
    }
  }
}
