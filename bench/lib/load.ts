/**
 * Closed-loop load: `concurrency` clients, each sending its next request when the previous one is
 * answered, for `durationMs`. A request not answered with 200 within Slack's 3 s is "unanswered".
 */
import { Pool } from 'undici';
import type { SignedRequest } from './slack-requests.ts';

export const SLACK_ACK_DEADLINE_MS = 3_000;

export interface LoadResult {
  latencies: number[];
  answered: number;
  unanswered: number;
  elapsedMs: number;
  throughput: number;
}

export async function closedLoop(
  origin: string,
  path: string,
  concurrency: number,
  durationMs: number,
  make: () => SignedRequest,
): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let unanswered = 0;
  const started = performance.now();
  const until = started + durationMs;
  async function client(): Promise<void> {
    while (performance.now() < until) {
      const { body, headers } = make();
      const sent = performance.now();
      try {
        const res = await pool.request({
          method: 'POST',
          path,
          body,
          headers,
          headersTimeout: SLACK_ACK_DEADLINE_MS,
          bodyTimeout: SLACK_ACK_DEADLINE_MS,
        });
        await res.body.text();
        const took = performance.now() - sent;
        if (res.statusCode === 200 && took <= SLACK_ACK_DEADLINE_MS) latencies.push(took);
        else unanswered += 1;
      } catch {
        unanswered += 1;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsedMs = performance.now() - started;
  await pool.close();
  return {
    latencies,
    answered: latencies.length,
    unanswered,
    elapsedMs,
    throughput: (latencies.length * 1000) / elapsedMs,
  };
}
