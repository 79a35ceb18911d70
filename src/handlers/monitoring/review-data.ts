import { AppError } from '../../app-error.ts';
import type { KpiSpec } from '../../config/monitoring-policy.ts';
import type { PerformancePolicy } from '../../config/reports-policy.ts';
import type { Topology } from '../../config/topology.ts';
import type { Prometheus, RangeSeries, RangeWindow } from './kpi-readings.ts';
import type { LineChart } from './chart-port.ts';
import { seriesName, trendOf, type TrendStats } from './trend-stats.ts';

/** The latency percentiles the reviews chart. */
export const latencyQuantiles = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
] as const;

/** `{namespace}`, `{environment}` and `{quantile}` in a policy query, filled for the review. */
export function fillQuery(query: string, values: { namespace: string; environment: string; quantile?: number }) {
  return query
    .replaceAll('{namespace}', values.namespace)
    .replaceAll('{environment}', values.environment)
    .replaceAll('{quantile}', String(values.quantile ?? ''));
}

/** The review's window: the last `days`, `points` steps. */
export function windowOf(at: Date, days: number, points: number): RangeWindow {
  const start = new Date(at.getTime() - days * 86_400_000);
  return { start, end: at, stepSeconds: Math.max(60, Math.round((days * 86_400) / points)) };
}

export function prometheusOf(prometheus: Prometheus | undefined): Prometheus {
  if (prometheus) return prometheus;
  throw new AppError('prometheus_unconfigured', 'The reviews read Prometheus, and no Prometheus is configured.', {
    hints: ['Set PROMETHEUS_URL or monitoring.prometheus.url in the policy file.'],
  });
}

/** A query's series over the window; a query that fails is reported, not fatal to the whole review. */
export async function rangeOrError(
  prometheus: Prometheus,
  query: string,
  window: RangeWindow,
): Promise<{ series: RangeSeries[] } | { error: string }> {
  try {
    return { series: await prometheus.range(query, window) };
  } catch (error) {
    return { error: error instanceof AppError ? error.userMessage : String(error) };
  }
}

export interface KpiTrend {
  kpi: KpiSpec;
  trend: TrendStats | undefined;
  error?: string;
}

/** Each KPI over the window (the worst series when a query returns several). */
export async function kpiTrends(
  prometheus: Prometheus,
  kpis: readonly KpiSpec[],
  window: RangeWindow,
  fill: (query: string) => string,
): Promise<KpiTrend[]> {
  return Promise.all(
    kpis.map(async (kpi) => {
      const result = await rangeOrError(prometheus, fill(kpi.query), window);
      if ('error' in result) return { kpi, trend: undefined, error: result.error };
      const trends = result.series.map((s) => trendOf(s.points)).filter((t) => t !== undefined);
      const worst = trends.sort((a, b) => b.max - a.max)[0];
      return { kpi, trend: worst, ...(worst ? {} : { error: 'no data' }) };
    }),
  );
}

/** Series as chart points, named by their labels. */
export function chartPoints(series: RangeSeries[], fallback: string): LineChart['points'] {
  return series.flatMap((s) => {
    const name = seriesName(s.labels, fallback);
    return s.points.map((p) => ({ series: name, at: p.at, value: p.value }));
  });
}

export interface ReviewScope {
  environment: string;
  namespace: string;
  fill: (query: string, quantile?: number) => string;
}

export function reviewScope(policy: PerformancePolicy, topology: Topology): ReviewScope {
  const environment = policy.environment;
  const namespace = topology.environments[environment]?.namespace ?? environment;
  return {
    environment,
    namespace,
    fill: (query, quantile) => fillQuery(query, { namespace, environment, ...(quantile ? { quantile } : {}) }),
  };
}
