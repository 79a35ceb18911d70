import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import type { Logger as SlackLogger } from '@slack/web-api';
import { AppError } from '../app-error.ts';
import type { Block } from '../handlers/reply.ts';
import type { Logger } from '../logger.ts';

export interface SlackPostMessage {
  channel: string;
  text: string;
  blocks?: Block[];
  thread_ts?: string;
}

export interface SlackUpdateMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: Block[];
}

export interface SlackFileUpload {
  channel: string;
  thread_ts: string;
  filename: string;
  content: string | Buffer;
  title?: string;
}

/** The few Web API calls progress reporting needs. Rate limits surface as SlackRateLimitedError. */
export interface SlackPoster {
  postMessage(message: SlackPostMessage): Promise<{ ts: string; channel: string }>;
  update(message: SlackUpdateMessage): Promise<void>;
  uploadFile(file: SlackFileUpload): Promise<{ fileId?: string | undefined }>;
}

/** Slack answered 429: the caller decides what to send after `retryAfterMs` (usually the latest state). */
export class SlackRateLimitedError extends AppError {
  readonly retryAfterMs: number;
  constructor(method: string, retryAfterMs: number) {
    super('slack_rate_limited', `Slack is rate limiting ${method}; retry in ${Math.ceil(retryAfterMs / 1000)} s`, { kind: 'upstream' });
    this.retryAfterMs = retryAfterMs;
  }
}

export function isSlackRateLimited(error: unknown): error is SlackRateLimitedError {
  return error instanceof SlackRateLimitedError;
}

// Slack-side trouble worth another try; every other platform error is about our request.
const transientPlatformErrors = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

function toAppError(method: string, error: unknown): AppError {
  const coded = error as { code?: unknown; retryAfter?: unknown; data?: { error?: unknown }; statusCode?: unknown };
  switch (coded.code) {
    case ErrorCode.RateLimitedError:
      return new SlackRateLimitedError(method, Math.max(1, Number(coded.retryAfter) || 1) * 1000);
    case ErrorCode.PlatformError: {
      const slackError = String(coded.data?.error ?? 'unknown_error');
      return new AppError(`slack_${slackError}`, `Slack refused ${method}: ${slackError}`, {
        cause: error,
        kind: transientPlatformErrors.has(slackError) ? 'upstream' : 'domain',
      });
    }
    case ErrorCode.RequestError:
    case ErrorCode.HTTPError:
      return new AppError('slack_unavailable', `Slack could not be reached for ${method}`, { cause: error, kind: 'upstream' });
    default:
      return new AppError('slack_call_failed', `Slack call ${method} failed`, { cause: error, kind: 'upstream' });
  }
}

function slackLogger(logger: Logger): SlackLogger {
  const child = logger.child({ component: 'slack-web-api' });
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => child.debug(join(msg)),
    info: (...msg) => child.info(join(msg)),
    // WebClient warns about every rejected call; we log what we do about them instead.
    warn: (...msg) => child.debug(join(msg)),
    error: (...msg) => child.warn(join(msg)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

export interface SlackPosterSettings {
  token: string;
  /** https://slack.com/api/ in production; the emulator's apiUrl in the sandbox and tests. */
  apiUrl: string;
  timeoutMs?: number;
}

/**
 * SlackPoster over the official WebClient, with its blind retries off and rate-limited calls rejected,
 * so callers see 429s and apply Retry-After to the latest state instead of replaying stale edits.
 */
export class WebApiSlackPoster implements SlackPoster {
  private readonly client: WebClient;

  constructor(settings: SlackPosterSettings, logger: Logger) {
    this.client = new WebClient(settings.token, {
      slackApiUrl: settings.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: settings.timeoutMs ?? 10_000,
      logger: slackLogger(logger),
    });
  }

  async postMessage(message: SlackPostMessage): Promise<{ ts: string; channel: string }> {
    const result = await this.call('chat.postMessage', () => this.client.chat.postMessage({ ...message, unfurl_links: false }));
    return { ts: String(result.ts), channel: String(result.channel ?? message.channel) };
  }

  async update(message: SlackUpdateMessage): Promise<void> {
    await this.call('chat.update', () => this.client.chat.update(message));
  }

  async uploadFile(file: SlackFileUpload): Promise<{ fileId?: string | undefined }> {
    const result = await this.call('files.uploadV2', () =>
      this.client.filesUploadV2({
        channel_id: file.channel,
        thread_ts: file.thread_ts,
        filename: file.filename,
        // WebClient refuses an upload naming both fields, even when one is undefined.
        ...(typeof file.content === 'string' ? { content: file.content } : { file: file.content }),
        ...(file.title ? { title: file.title } : {}),
      } as Parameters<WebClient['filesUploadV2']>[0]),
    );
    const uploaded = (result as { files?: Array<{ files?: Array<{ id?: string }> }> }).files?.[0]?.files?.[0];
    return { fileId: uploaded?.id };
  }

  private async call<T>(method: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toAppError(method, error);
    }
  }
}
