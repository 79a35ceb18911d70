import { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';
import { boltLogger } from './bolt-logger.ts';

/**
 * The Web API client every role uses. Retries are bounded (a few seconds, not Slack's default of
 * half an hour) so a Slack outage surfaces as an error the bot can act on; 429s still wait Retry-After.
 */
export function createSlackClient(token: string, apiUrl: string, logger: Logger): WebClient {
  return new WebClient(token, {
    slackApiUrl: apiUrl,
    logger: boltLogger(logger),
    timeout: 10_000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2_000 },
  });
}

export const slackClientOptions = {
  timeout: 10_000,
  retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2_000 },
};
