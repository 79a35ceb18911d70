import { LogLevel, WebClient } from '@slack/web-api';
import type { Logger as SlackLogger, WebClientOptions } from '@slack/web-api';
import type { Logger } from '../logger.ts';

export type { WebClient as SlackClient } from '@slack/web-api';

export interface SlackClientSettings {
  token: string;
  /** https://slack.com/api/ in production; the emulator's apiUrl in the sandbox and tests. */
  apiUrl: string;
  timeoutMs?: number;
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

/**
 * The one retry policy for every Web API client (ours and Bolt's): WebClient's blind retries are off and
 * rate-limited calls are rejected. The caller decides what to retry and when (the outbox, or
 * `withSlackRetries` inside a deadline), so a 429 postpones the latest state instead of replaying stale
 * edits, and one channel's limit never pauses every other call of the client.
 */
export function slackClientOptions(settings: Omit<SlackClientSettings, 'token'>, logger: Logger): WebClientOptions {
  return {
    slackApiUrl: settings.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: settings.timeoutMs ?? 10_000,
    logger: slackLogger(logger),
  };
}

/** The Web API client a process uses for everything it sends to or asks of Slack (one per process). */
export function createSlackClient(settings: SlackClientSettings, logger: Logger): WebClient {
  return new WebClient(settings.token, slackClientOptions(settings, logger));
}
