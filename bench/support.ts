import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

export const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

export function signedForm(signingSecret: string, fields: Record<string, string>) {
  const body = new URLSearchParams(fields).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    },
  };
}

/** Sends `total` requests with at most `concurrency` in flight; returns each latency in ms, sorted. */
export async function load(
  url: string,
  total: number,
  concurrency: number,
  makeRequest: (i: number) => { body: string; headers: Record<string, string> },
): Promise<number[]> {
  const dispatcher = new Agent({ connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  async function worker() {
    while (next < total) {
      const i = next++;
      const { body, headers } = makeRequest(i);
      const started = performance.now();
      const response = await request(url, { method: 'POST', body, headers, dispatcher });
      await response.body.text();
      latencies.push(performance.now() - started);
      if (response.statusCode !== 200) failures += 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  await dispatcher.close();
  if (failures > 0) throw new Error(`${failures} of ${total} requests failed`);
  return latencies.sort((a, b) => a - b);
}
