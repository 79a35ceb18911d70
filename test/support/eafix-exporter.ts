/**
 * A tiny exporter serving EAFIX platform metrics in the Prometheus text format, for the real Prometheus
 * in the alert tests: counters advance on every scrape by the request mix the test sets.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EafixExporter {
  url: string;
  port: number;
  /** The share of the next scrapes' requests answered 5xx, and as slowly (0.5–1 s) (0..1). */
  setErrorRatio(ratio: number): void;
  /** Scrapes served so far. */
  scrapes(): number;
  stop(): Promise<void>;
}

const REQUESTS_PER_SCRAPE = 1_000;

export async function startEafixExporter(labels: { namespace: string; service: string }): Promise<EafixExporter> {
  let errorRatio = 0;
  let ok = 0;
  let failed = 0;
  let scrapes = 0;
  // Cumulative histogram buckets: fast requests take under 50 ms, failing ones up to a second.
  const buckets = { '0.05': 0, '0.2': 0, '0.5': 0, '1': 0, '+Inf': 0 };
  let durationSum = 0;
  const series = (status: string) => `{namespace="${labels.namespace}",service="${labels.service}",status="${status}"}`;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    scrapes += 1;
    const errors = Math.round(REQUESTS_PER_SCRAPE * errorRatio);
    failed += errors;
    ok += REQUESTS_PER_SCRAPE - errors;
    buckets['0.05'] += REQUESTS_PER_SCRAPE - errors;
    buckets['0.2'] += REQUESTS_PER_SCRAPE - errors;
    buckets['0.5'] += REQUESTS_PER_SCRAPE - errors;
    buckets['1'] += REQUESTS_PER_SCRAPE;
    buckets['+Inf'] += REQUESTS_PER_SCRAPE;
    durationSum += (REQUESTS_PER_SCRAPE - errors) * 0.02 + errors * 0.9;
    const scope = `namespace="${labels.namespace}",service="${labels.service}"`;
    const body = [
      '# HELP http_requests_total Requests answered, by status.',
      '# TYPE http_requests_total counter',
      `http_requests_total${series('200')} ${ok}`,
      `http_requests_total${series('500')} ${failed}`,
      '# HELP http_request_duration_seconds Request duration.',
      '# TYPE http_request_duration_seconds histogram',
      ...Object.entries(buckets).map(([le, n]) => `http_request_duration_seconds_bucket{${scope},le="${le}"} ${n}`),
      `http_request_duration_seconds_sum{${scope}} ${durationSum}`,
      `http_request_duration_seconds_count{${scope}} ${buckets['+Inf']}`,
      '# HELP redis_cache_hit_rate Share of cache reads served from Redis.',
      '# TYPE redis_cache_hit_rate gauge',
      `redis_cache_hit_rate{namespace="${labels.namespace}"} 0.96`,
      '# HELP market_data_age_seconds Age of the newest tick.',
      '# TYPE market_data_age_seconds gauge',
      `market_data_age_seconds{namespace="${labels.namespace}",service="market-data",symbol="EURUSD"} 1`,
      '',
    ].join('\n');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    port,
    setErrorRatio: (ratio) => (errorRatio = ratio),
    scrapes: () => scrapes,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
