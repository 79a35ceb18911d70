import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { BotMetrics } from './bot-metrics.ts';

/** What undici publishes once a response's headers arrive (Node's fetch and the undici package alike). */
interface RequestHeadersMessage {
  request: { origin?: string | URL; path?: string };
  response: { statusCode: number };
}

const CHANNEL = 'undici:request:headers';

/**
 * Counts Slack's 429 answers by Web API method, whichever client made the call (Bolt's, the outbox's,
 * the direct one), by watching HTTP responses from the Slack API's origin. Returns the unsubscribe.
 */
export function countSlackRateLimits(metrics: BotMetrics, slackApiUrl: string): () => void {
  const api = new URL(slackApiUrl);
  const onMessage = (message: unknown) => {
    const { request, response } = message as RequestHeadersMessage;
    if (
      response?.statusCode !== 429 ||
      !request?.path ||
      String(request.origin ?? '').replace(/\/$/, '') !== api.origin
    )
      return;
    const path = request.path.split('?')[0] ?? '';
    if (!path.startsWith(api.pathname)) return;
    const method = path.slice(api.pathname.length).replace(/^\//, '');
    if (/^[A-Za-z0-9_.]{1,64}$/.test(method)) metrics.slackRateLimited.inc({ method });
  };
  subscribe(CHANNEL, onMessage);
  return () => unsubscribe(CHANNEL, onMessage);
}
