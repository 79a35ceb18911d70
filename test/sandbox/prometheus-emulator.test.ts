import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { PrometheusEmulator, defaultKpiQueries, defaultKpiValues, seedEafixKpis } from '@eafix/sandbox/prometheus';
import type { PrometheusQueryRecord } from '@eafix/sandbox/prometheus';
import { formatSampleValue } from '@eafix/sandbox/prometheus/prom-wire';

const NOW_MS = 1_700_000_000_123;
let emu: PrometheusEmulator;

/** Loose view of a Prometheus API body; assertions pin the exact shape. */
interface PromBody {
  status: string;
  errorType?: string;
  error?: string;
  data: { resultType?: string; result?: unknown; version?: string };
}

beforeEach(async () => {
  emu = new PrometheusEmulator({ now: () => NOW_MS });
  await emu.start();
});
afterEach(async () => {
  await emu.stop();
});

async function get(path: string, params: Record<string, string> = {}): Promise<{ status: number; body: PromBody }> {
  const res = await fetch(`${emu.url}${path}?${new URLSearchParams(params)}`);
  return { status: res.status, body: (await res.json()) as PromBody };
}

async function postForm(
  path: string,
  params: Record<string, string>,
  query = '',
): Promise<{ status: number; body: PromBody }> {
  const res = await fetch(`${emu.url}${path}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: (await res.json()) as PromBody };
}

describe('PrometheusEmulator instant queries', () => {
  it('returns a registered vector in the exact Prometheus shape', async () => {
    emu.setResult('up{job="api"}', [
      { metric: { job: 'api', instance: 'a:9090' }, value: 1 },
      { metric: { job: 'api', instance: 'b:9090' }, value: 0.25 },
    ]);
    const { status, body } = await get('/api/v1/query', { query: 'up{job="api"}', time: '1700000100.5' });
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { job: 'api', instance: 'a:9090' }, value: [1700000100.5, '1'] },
          { metric: { job: 'api', instance: 'b:9090' }, value: [1700000100.5, '0.25'] },
        ],
      },
    });
  });

  it('treats a number as one unlabelled sample evaluated at now()', async () => {
    emu.setResult('sum(rate(x[5m]))', 42.5);
    const { body } = await get('/api/v1/query', { query: 'sum(rate(x[5m]))' });
    expect(body.data.result).toEqual([{ metric: {}, value: [NOW_MS / 1000, '42.5'] }]);
  });

  it('matches expressions regardless of whitespace', async () => {
    emu.setResult('sum(rate(a[5m])) by (le)', 7);
    const { body } = await get('/api/v1/query', { query: ' sum ( rate(a[5m]) )  by(le) ' });
    expect(body.data.result).toEqual([{ metric: {}, value: [NOW_MS / 1000, '7'] }]);
  });

  it('returns scalars and evaluates bare number literals as scalars', async () => {
    emu.setScalar('scalar(foo)', 3);
    expect((await get('/api/v1/query', { query: 'scalar(foo)', time: '10' })).body.data).toEqual({
      resultType: 'scalar',
      result: [10, '3'],
    });
    expect((await get('/api/v1/query', { query: '2.5', time: '10' })).body.data.result).toEqual([10, '2.5']);
  });

  it('returns an empty vector for an unregistered plausible expression', async () => {
    const { status, body } = await get('/api/v1/query', { query: 'nothing_here{a="b"}' });
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'success', data: { resultType: 'vector', result: [] } });
  });

  it('accepts form-encoded POST, the body winning over the URL', async () => {
    emu.setResult('a', 1).setResult('b', 2);
    const { status, body } = await postForm('/api/v1/query', { query: 'b', time: '2023-11-14T22:13:20Z' }, '?query=a');
    expect(status).toBe(200);
    expect(body.data.result).toEqual([{ metric: {}, value: [1700000000, '2'] }]);
    expect(emu.queries.at(-1)).toMatchObject({ method: 'POST', expr: 'b', status: 200, time: 1700000000 });
  });

  it('renders special and tiny floats like Go', () => {
    expect(formatSampleValue(1e-7)).toBe('0.0000001');
    expect(formatSampleValue(1.5e21)).toBe('1500000000000000000000');
    expect(formatSampleValue(Number.NaN)).toBe('NaN');
    expect(formatSampleValue(-Infinity)).toBe('-Inf');
  });
});

describe('PrometheusEmulator range queries', () => {
  it('returns a matrix with one point per step', async () => {
    emu.setResult('up', [{ metric: { job: 'x' }, value: 1 }]);
    const { status, body } = await get('/api/v1/query_range', { query: 'up', start: '100', end: '160', step: '30s' });
    expect(status).toBe(200);
    expect(body.data).toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: { job: 'x' },
          values: [
            [100, '1'],
            [130, '1'],
            [160, '1'],
          ],
        },
      ],
    });
    expect(emu.queries.at(-1)).toMatchObject({ endpoint: 'query_range', start: 100, end: 160, step: 30 });
  });

  it.each([
    [{ query: 'up', start: '200', end: '100', step: '1' }, 'end timestamp must not be before start time'],
    [{ query: 'up', start: '100', end: '200', step: '0' }, 'zero or negative query resolution step widths'],
    [{ query: 'up', start: '0', end: '100000', step: '1' }, 'exceeded maximum resolution of 11,000 points'],
    [{ query: 'up', start: 'yesterday', end: '1', step: '1' }, 'invalid parameter "start": cannot parse "yesterday"'],
    [{ query: 'up', start: '1', end: '2', step: 'fast' }, 'invalid parameter "step": cannot parse "fast"'],
  ])('rejects bad range parameters %#', async (params, message) => {
    const { status, body } = await get('/api/v1/query_range', params);
    expect(status).toBe(400);
    expect(body.status).toBe('error');
    expect(body.errorType).toBe('bad_data');
    expect(body.error).toContain(message);
  });
});

describe('PrometheusEmulator errors', () => {
  it('rejects a missing query as bad_data', async () => {
    const { status, body } = await get('/api/v1/query');
    expect(status).toBe(400);
    expect(body).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: 'invalid parameter "query": 1:1: parse error: no expression found in input',
    });
  });

  it.each([
    ['sum(rate(x[5m])', 'unclosed left parenthesis'],
    ['up{job="a"', 'unclosed left brace'],
    ['up)', "1:3: parse error: unexpected right parenthesis ')'"],
    ['up{job="a}', 'unterminated quoted string'],
  ])('rejects implausible syntax %s', async (query, message) => {
    const { status, body } = await get('/api/v1/query', { query });
    expect(status).toBe(400);
    expect(body.errorType).toBe('bad_data');
    expect(body.error).toContain('invalid parameter "query": ');
    expect(body.error).toContain(message);
  });

  it('rejects a bad time parameter', async () => {
    const { status, body } = await get('/api/v1/query', { query: 'up', time: 'noon' });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid parameter "time": cannot parse "noon" to a valid timestamp');
  });

  it('refuses to register an implausible expression', () => {
    expect(() => emu.setResult('sum(up', 1)).toThrow(/unclosed left parenthesis/);
  });
});

describe('PrometheusEmulator failure injection', () => {
  it('fails the next n queries then recovers, logging each status', async () => {
    emu.setResult('up', 1).failNext(2);
    const first = await get('/api/v1/query', { query: 'up' });
    const second = await get('/api/v1/query', { query: 'up' });
    const third = await get('/api/v1/query', { query: 'up' });
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ status: 'error', errorType: 'unavailable' });
    expect(second.status).toBe(503);
    expect(third.status).toBe(200);
    expect(emu.queries.map((q) => [q.status, q.errorType])).toEqual([
      [503, 'unavailable'],
      [503, 'unavailable'],
      [200, undefined],
    ]);
  });

  it('maps execution failures to 422', async () => {
    emu.failNext(1, { errorType: 'execution', error: 'boom' });
    const { status, body } = await get('/api/v1/query', { query: 'up' });
    expect(status).toBe(422);
    expect(body).toEqual({ status: 'error', errorType: 'execution', error: 'boom' });
  });

  it('delays responses and times out when latency exceeds the request timeout', async () => {
    emu.setResult('up', 1).setLatency(80);
    const started = performance.now();
    const slow = await get('/api/v1/query', { query: 'up' });
    expect(slow.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    const timedOut = await get('/api/v1/query', { query: 'up', timeout: '20ms' });
    expect(timedOut.status).toBe(503);
    expect(timedOut.body).toMatchObject({ status: 'error', errorType: 'timeout' });
  });

  it('refuses connections while down and serves again on the same url after comeUp', async () => {
    emu.setResult('up', 1);
    const url = emu.url;
    expect((await get('/api/v1/query', { query: 'up' })).status).toBe(200);
    await emu.goDown();
    expect(emu.isUp).toBe(false);
    const err = await fetch(`${url}/api/v1/query?query=up`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(((err as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    await emu.comeUp();
    expect(emu.url).toBe(url);
    expect((await get('/api/v1/query', { query: 'up' })).status).toBe(200);
  });

  it('stops promptly even with a request in flight', async () => {
    emu.setLatency(60_000);
    const arrived = once(emu, 'request');
    const pending = fetch(`${emu.url}/api/v1/query?query=up`).catch((e: unknown) => e);
    await arrived;
    await emu.stop();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('emits a query event per answered request', async () => {
    const seen = once(emu, 'query') as Promise<[PrometheusQueryRecord]>;
    await get('/api/v1/query', { query: 'up' });
    const [record] = await seen;
    expect(record).toMatchObject({ endpoint: 'query', expr: 'up', status: 200, time: NOW_MS / 1000 });
  });
});

describe('PrometheusEmulator other endpoints', () => {
  it('serves buildinfo, health and readiness', async () => {
    const info = await get('/api/v1/status/buildinfo');
    expect(info.status).toBe(200);
    expect(info.body.status).toBe('success');
    expect(info.body.data.version).toMatch(/^\d+\.\d+\.\d+$/);
    const healthy = await fetch(`${emu.url}/-/healthy`);
    expect([healthy.status, await healthy.text()]).toEqual([200, 'Prometheus Server is Healthy.\n']);
    const ready = await fetch(`${emu.url}/-/ready`);
    expect([ready.status, await ready.text()]).toEqual([200, 'Prometheus Server is Ready.\n']);
    expect((await fetch(`${emu.url}/api/v1/nope`)).status).toBe(404);
  });
});

describe('seedEafixKpis', () => {
  it('registers healthy defaults for every KPI and honours overrides', async () => {
    seedEafixKpis(emu, { cpu_usage_percent: 93 });
    expect(Object.keys(defaultKpiQueries)).toHaveLength(9);
    for (const [id, query] of Object.entries(defaultKpiQueries)) {
      const { body } = await get('/api/v1/query', { query });
      const expected = id === 'cpu_usage_percent' ? 93 : defaultKpiValues[id as keyof typeof defaultKpiValues];
      expect(body.data.result, id).toEqual([{ metric: {}, value: [NOW_MS / 1000, String(expected)] }]);
    }
  });

  it('defaults sit inside the runbook targets', () => {
    const targets = {
      api_response_time_ms: 100,
      error_rate_percent: 0.1,
      cpu_usage_percent: 70,
      memory_usage_percent: 80,
      disk_usage_percent: 80,
      signal_generation_latency_ms: 50,
      order_execution_time_ms: 500,
      data_feed_latency_ms: 10,
      risk_check_time_ms: 100,
    };
    for (const [id, target] of Object.entries(targets)) {
      expect(defaultKpiValues[id as keyof typeof targets], id).toBeLessThan(target);
    }
  });
});
