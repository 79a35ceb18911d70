import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/app-error.ts';
import { runbookKpis, kpiIds, type KpiSpec } from '../../../src/config/monitoring-policy.ts';
import {
  bandOf,
  formatAge,
  formatKpiValue,
  readBackupAge,
  readKpis,
} from '../../../src/handlers/monitoring/kpi-readings.ts';
import { PrometheusHttpClient } from '../../../src/prometheus/prometheus-client.ts';
import { PrometheusEmulator, defaultKpiQueries, seedEafixKpis } from '@eafix/sandbox/prometheus';

const specs: KpiSpec[] = kpiIds.map((id) => ({ id, ...runbookKpis[id] }));
const vars = { environment: 'production', namespace: 'eafix-production' };

describe('bandOf: the runbook thresholds, every KPI lower-is-better', () => {
  // [KPI, value, band, on target] at and around each boundary of the runbook's table.
  const cases: Array<[string, number, string, boolean]> = [
    ['api_response_time_ms', 99, 'ok', true],
    ['api_response_time_ms', 100, 'ok', false],
    ['api_response_time_ms', 200, 'ok', false],
    ['api_response_time_ms', 201, 'warning', false],
    ['api_response_time_ms', 500, 'warning', false],
    ['api_response_time_ms', 501, 'critical', false],
    ['error_rate_percent', 0.05, 'ok', true],
    ['error_rate_percent', 0.5, 'ok', false],
    ['error_rate_percent', 1.01, 'warning', false],
    ['error_rate_percent', 5.5, 'critical', false],
    ['cpu_usage_percent', 69, 'ok', true],
    ['cpu_usage_percent', 75, 'ok', false],
    ['cpu_usage_percent', 85, 'warning', false],
    ['cpu_usage_percent', 91, 'critical', false],
    ['memory_usage_percent', 79, 'ok', true],
    ['memory_usage_percent', 86, 'warning', false],
    ['memory_usage_percent', 96, 'critical', false],
    ['disk_usage_percent', 82, 'ok', false],
    ['disk_usage_percent', 90, 'warning', false],
    ['disk_usage_percent', 99, 'critical', false],
    ['signal_generation_latency_ms', 49, 'ok', true],
    ['signal_generation_latency_ms', 150, 'warning', false],
    ['signal_generation_latency_ms', 201, 'critical', false],
    ['order_execution_time_ms', 499, 'ok', true],
    ['order_execution_time_ms', 1500, 'warning', false],
    ['order_execution_time_ms', 2001, 'critical', false],
    ['data_feed_latency_ms', 9, 'ok', true],
    ['data_feed_latency_ms', 60, 'warning', false],
    ['data_feed_latency_ms', 101, 'critical', false],
    ['risk_check_time_ms', 99, 'ok', true],
    ['risk_check_time_ms', 300, 'warning', false],
    ['risk_check_time_ms', 600, 'critical', false],
  ];
  it.each(cases)('%s = %s → %s (on target: %s)', (id, value, band, onTarget) => {
    const spec = specs.find((s) => s.id === id)!;
    expect(bandOf(value, spec)).toEqual({ band, onTarget });
  });
});

describe('formatting', () => {
  it('reads values and ages in the runbook units', () => {
    expect(formatKpiValue(42, 'ms')).toBe('42 ms');
    expect(formatKpiValue(1500, 'ms')).toBe('1.5 s');
    expect(formatKpiValue(0.02, '%')).toBe('0.02%');
    expect(formatKpiValue(3.5, 'ms')).toBe('3.5 ms');
    expect(formatAge(5 * 3600)).toBe('5h');
    expect(formatAge(26 * 3600 + 60 * 5)).toBe('26h 5m');
    expect(formatAge(3 * 86400)).toBe('3d');
  });
});

describe('readKpis over the Prometheus HTTP API (emulator)', () => {
  const prometheus = new PrometheusEmulator();
  let client: PrometheusHttpClient;
  beforeAll(async () => {
    await prometheus.start();
    // Generous: a busy machine must not turn a healthy answer into "unavailable".
    client = new PrometheusHttpClient({ url: `${prometheus.url}/`, timeoutMs: 15_000 });
  });
  afterAll(() => prometheus.stop());
  beforeEach(async () => {
    await prometheus.comeUp();
    prometheus.reset();
    seedEafixKpis(prometheus);
  });

  it('reads each KPI with its query and bands it', async () => {
    prometheus
      .setResult(defaultKpiQueries.api_response_time_ms, 250)
      .setResult(defaultKpiQueries.error_rate_percent, 7);
    const readings = await readKpis(client, specs, vars);
    const byId = Object.fromEntries(readings.map((r) => [r.id, r]));
    expect(byId.api_response_time_ms).toMatchObject({ band: 'warning', value: 250 });
    expect(byId.error_rate_percent).toMatchObject({ band: 'critical', value: 7 });
    expect(byId.cpu_usage_percent).toMatchObject({ band: 'ok', value: 38, onTarget: true });
    expect(prometheus.queries.map((q) => q.expr).sort()).toEqual(Object.values(defaultKpiQueries).sort());
  });

  it('takes the worst of several series and says "no data" when there is none', async () => {
    prometheus.setResult(defaultKpiQueries.cpu_usage_percent, [
      { metric: { instance: 'a' }, value: 40 },
      { metric: { instance: 'b' }, value: 93 },
    ]);
    prometheus.setResult(defaultKpiQueries.disk_usage_percent, []);
    const readings = await readKpis(client, specs, vars);
    expect(readings.find((r) => r.id === 'cpu_usage_percent')).toMatchObject({ band: 'critical', value: 93 });
    expect(readings.find((r) => r.id === 'disk_usage_percent')).toMatchObject({
      band: 'unavailable',
      reason: 'no data',
    });
  });

  it('greys out every KPI with the reason when Prometheus is down, and one KPI when its query fails', async () => {
    prometheus.failNext(1, { errorType: 'bad_data', error: 'parse error' });
    const one = await readKpis(client, specs.slice(0, 1), vars);
    expect(one[0]).toMatchObject({ band: 'unavailable' });
    expect(one[0]?.reason).toMatch(/rejected the query \(bad_data\): parse error/);

    await prometheus.goDown();
    const down = await readKpis(client, specs, vars);
    expect(down.every((r) => r.band === 'unavailable' && /could not be reached/.test(r.reason ?? ''))).toBe(true);
    const none = await readKpis(undefined, specs, vars);
    expect(none.every((r) => r.reason === 'Prometheus is not configured')).toBe(true);
  });

  it('maps errors to AppErrors: query problems are domain errors, a sick or slow Prometheus upstream', async () => {
    prometheus.failNext(1, { errorType: 'execution' });
    const bad = await client.instant('up').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AppError);
    expect(bad).toMatchObject({ code: 'prometheus_query_failed', kind: 'domain' });
    prometheus.failNext(1, { status: 503 });
    await expect(client.instant('up')).rejects.toMatchObject({ code: 'prometheus_unavailable', kind: 'upstream' });
    // Latency is a floor, so a short client timeout fires whatever the machine's load.
    prometheus.setLatency(5_000);
    const impatient = new PrometheusHttpClient({ url: `${prometheus.url}/`, timeoutMs: 300 });
    await expect(impatient.instant('up')).rejects.toMatchObject({ kind: 'upstream' });
    prometheus.setLatency(0);
    prometheus.setScalar('vector(1)', 4);
    await expect(client.instant('vector(1)')).resolves.toBe(4);
    await expect(client.ready()).resolves.toBeUndefined();
  });

  it('shares one request among identical queries asked at once; a lone ask always asks Prometheus', async () => {
    let now = 1_000_000;
    const shared = new PrometheusHttpClient({ url: `${prometheus.url}/`, timeoutMs: 15_000, now: () => now });
    const asked = (expr: string) => prometheus.queries.filter((q) => q.expr === expr).length;
    prometheus.setScalar('vector(2)', 7);
    const answers = await Promise.all(Array.from({ length: 20 }, () => shared.instant('vector(2)')));
    expect(answers).toEqual(Array.from({ length: 20 }, () => 7));
    expect(asked('vector(2)')).toBe(1);
    // A shared answer is kept for a quarter second: asks keep coming faster than Prometheus answers.
    prometheus.setScalar('vector(2)', 8);
    now += 200;
    await expect(shared.instant('vector(2)')).resolves.toBe(7);
    expect(asked('vector(2)')).toBe(1);
    now += 100;
    await expect(shared.instant('vector(2)')).resolves.toBe(8);
    expect(asked('vector(2)')).toBe(2);
    // That answer was nobody else's: not kept, the next ask sees the change at once.
    prometheus.setScalar('vector(2)', 9);
    await expect(shared.instant('vector(2)')).resolves.toBe(9);
    expect(asked('vector(2)')).toBe(3);
    // A failure is shared too, and never kept: the next ask is a new request, which succeeds.
    prometheus.failNext(1, { status: 503 });
    const failed = await Promise.allSettled([shared.instant('vector(2)'), shared.instant('vector(2)')]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    await expect(shared.instant('vector(2)')).resolves.toBe(9);
    // Different queries are not shared.
    prometheus.setScalar('vector(1)', 1);
    await Promise.all([shared.instant('vector(2)'), shared.instant('vector(1)')]);
    expect(asked('vector(1)')).toBe(1);
  });

  it('bands backup age against the policy ages', async () => {
    const policy = {
      query: 'time() - max(eafix_backup_last_success_timestamp_seconds)',
      warnAfter: 26 * 3600_000,
      criticalAfter: 48 * 3600_000,
    };
    for (const [hours, band] of [
      [5, 'ok'],
      [30, 'warning'],
      [50, 'critical'],
    ] as const) {
      prometheus.setResult(policy.query, hours * 3600);
      expect(await readBackupAge(client, policy, vars)).toMatchObject({ band, ageSeconds: hours * 3600 });
    }
    prometheus.setResult(policy.query, []);
    expect((await readBackupAge(client, policy, vars)).band).toBe('unavailable');
  });
});
