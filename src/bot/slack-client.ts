import { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';
import { boltLogger } from './bolt-logger.ts';

/** How long one call may spend waiting out Slack's rate limits before it gives up. */
const RATE_LIMIT_BUDGET_MS = 90_000;

/**
 * fetch that waits out a 429 for this request alone, as Retry-After says. WebClient's own handling
 * pauses every call of the client (one channel's 1/s limit would stall all channels) and counts the
 * waits as retries, so a busy channel turns into failed posts.
 */
export function rateLimitAwareFetch(logger: Logger, budgetMs = RATE_LIMIT_BUDGET_MS): typeof fetch {
  return async (input, init) => {
    const started = Date.now();
    for (;;) {
      const response = await fetch(input, init);
      if (response.status !== 429) return response;
      const retryAfterMs = Math.max(1, Number(response.headers.get('retry-after') ?? '1')) * 1000;
      const jitterMs = Math.floor(Math.random() * 250);
      if (Date.now() - started + retryAfterMs > budgetMs) return response;
      logger.debug({ url: String(input).split('?')[0], retryAfterMs }, 'slack rate limited; waiting');
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs + jitterMs));
    }
  };
}

export const slackClientOptions = {
  timeout: 10_000,
  // Network errors: a few quick tries, not Slack's default of half an hour, so an outage surfaces.
  retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2_000 },
};

/** The Web API client every role uses for posting, updating and looking things up. */
export function createSlackClient(token: string, apiUrl: string, logger: Logger): WebClient {
  return new WebClient(token, {
    slackApiUrl: apiUrl,
    logger: boltLogger(logger),
    ...slackClientOptions,
    fetch: rateLimitAwareFetch(logger),
  });
}
