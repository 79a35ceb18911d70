/**
 * A tiny exporter serving EAFIX platform metrics in the Prometheus text format, for the real Prometheus
 * in the alert tests: counters advance on every scrape by the request mix the test sets.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EafixExporter {
  url: string;
  port: number;
  /** The share of the next scrapes' requests answered 5xx (0..1). */
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
    const body = [
      '# HELP http_requests_total Requests answered, by status.',
      '# TYPE http_requests_total counter',
      `http_requests_total${series('200')} ${ok}`,
      `http_requests_total${series('500')} ${failed}`,
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
