import { context, header, section, type Block } from '../core/reply.ts';
import { slackDate } from './digest-sections.ts';
import type { Prometheus } from './kpi-readings.ts';
import type { LineChart } from './chart-port.ts';
import type { ComposedReport, ReportChart, ReportContext } from './report-types.ts';
import {
  chartPoints,
  kpiTrends,
  latencyQuantiles,
  prometheusOf,
  rangeOrError,
  reviewScope,
  windowOf,
  type KpiTrend,
  type ReviewScope,
} from './review-data.ts';
import { round, trendOf } from './trend-stats.ts';
import type { RangeWindow } from './kpi-readings.ts';

const DAYS = 7;
const GROUPS = {
  'API response time': ['api_response_time_ms', 'error_rate_percent'],
  'Resource utilisation': ['cpu_usage_percent', 'memory_usage_percent', 'disk_usage_percent'],
  'Trading performance': [
    'signal_generation_latency_ms',
    'order_execution_time_ms',
    'data_feed_latency_ms',
    'risk_check_time_ms',
  ],
} as const;

const icon = (value: number, t: KpiTrend['kpi']) =>
  value > t.critical ? ':red_circle:' : value > t.warning ? ':large_orange_circle:' : ':large_green_circle:';

/** One KPI's week: average and peak against its thresholds, and which way it is going. */
export function kpiLine({ kpi, trend, error }: KpiTrend): string {
  if (!trend) return `:white_circle: ${kpi.label}: unavailable (${error ?? 'no data'})`;
  const direction =
    Math.abs(trend.perDay) < 1e-9 ? 'flat' : `${trend.perDay > 0 ? '+' : ''}${round(trend.perDay)} ${kpi.unit}/day`;
  return `${icon(trend.average, kpi)} ${kpi.label}: avg ${round(trend.average)} ${kpi.unit}, peak ${round(trend.max)} ${kpi.unit} (target < ${kpi.target}, warning > ${kpi.warning}) · ${direction}`;
}

/** The runbook's "optimize recommend": what the week's numbers ask for, most urgent first. */
export function recommendations(trends: KpiTrend[], at: Date): string[] {
  const out: string[] = [];
  for (const { kpi, trend } of trends) {
    if (!trend) continue;
    if (trend.average > kpi.warning)
      out.push(
        `*${kpi.label}* averaged ${round(trend.average)} ${kpi.unit} (warning > ${kpi.warning}): investigate and tune before it becomes an incident.`,
      );
    else if (trend.max > kpi.critical)
      out.push(
        `*${kpi.label}* peaked at ${round(trend.max)} ${kpi.unit} (critical > ${kpi.critical}): find what drove the peak.`,
      );
    else if (trend.perDay > 0 && trend.at(new Date(at.getTime() + 30 * 86_400_000)) > kpi.warning)
      out.push(
        `*${kpi.label}* is rising (${round(trend.perDay)} ${kpi.unit}/day) and would pass its warning level within a month.`,
      );
  }
  return out.length ? out : ['No KPI needs action this week: every one stayed inside its target band.'];
}

async function chart(
  prometheus: Prometheus,
  window: RangeWindow,
  spec: { title: string; yTitle: string; queries: Array<{ name: string; query: string }> },
): Promise<LineChart | string> {
  const points: LineChart['points'] = [];
  for (const { name, query } of spec.queries) {
    const result = await rangeOrError(prometheus, query, window);
    if ('error' in result) return `${spec.title}: ${result.error}`;
    points.push(...chartPoints(result.series, name));
  }
  return points.length ? { title: spec.title, yTitle: spec.yTitle, points } : `${spec.title}: no data`;
}

/** The charts both reviews show: latency percentiles, error rate, CPU and memory per service. */
export function reviewCharts(ctx: ReportContext, scope: ReviewScope, days: number) {
  const policy = ctx.deps.monitoring.reports.performance;
  const errorRate = ctx.deps.monitoring.kpis.find((k) => k.id === 'error_rate_percent');
  return [
    {
      file: 'latency',
      title: `API latency percentiles, ${days} days`,
      yTitle: 'latency (ms)',
      queries: latencyQuantiles.map(([name, q]) => ({ name, query: scope.fill(policy.latencyQuantile, q) })),
    },
    ...(errorRate
      ? [
          {
            file: 'error-rate',
            title: `Error rate, ${days} days`,
            yTitle: 'errors (%)',
            queries: [{ name: 'error rate', query: scope.fill(errorRate.query) }],
          },
        ]
      : []),
    {
      file: 'cpu',
      title: `CPU per service, ${days} days`,
      yTitle: 'CPU (cores)',
      queries: [{ name: 'cpu', query: scope.fill(policy.cpuByService) }],
    },
    {
      file: 'memory',
      title: `Memory per service, ${days} days`,
      yTitle: 'memory (MiB)',
      queries: [{ name: 'memory', query: scope.fill(policy.memoryByService) }],
    },
  ];
}

export async function renderCharts(
  ctx: ReportContext,
  prometheus: Prometheus,
  window: RangeWindow,
  specs: ReturnType<typeof reviewCharts>,
  prefix: string,
  extend: (chart: LineChart) => LineChart = (c) => c,
): Promise<{ charts: ReportChart[]; problems: string[] }> {
  const charts: ReportChart[] = [];
  const problems: string[] = [];
  for (const spec of specs) {
    const drawn = await chart(prometheus, window, spec);
    if (typeof drawn === 'string') {
      problems.push(drawn);
      continue;
    }
    const full = extend(drawn);
    try {
      const png = await ctx.deps.monitoring.charts.png(full);
      charts.push({ filename: `${prefix}-${spec.file}.png`, title: full.title, png });
    } catch (error) {
      // The numbers above still stand: a renderer that fails costs the chart, not the review.
      ctx.logger.warn({ err: error, chart: spec.file }, 'review chart could not be rendered');
      problems.push(`${spec.title}: the chart could not be rendered`);
    }
  }
  return { charts, problems };
}

/** The runbook's Weekly Performance Analysis, from Prometheus over 7 days, with its charts. */
export async function composePerformanceReview(ctx: ReportContext): Promise<ComposedReport> {
  const prometheus = prometheusOf(ctx.deps.monitoring.prometheus);
  const scope = reviewScope(ctx.deps.monitoring.reports.performance, ctx.deps.topology);
  const window = windowOf(ctx.at, DAYS, 168);
  const trends = await kpiTrends(prometheus, ctx.deps.monitoring.kpis, window, (q) => scope.fill(q));
  const day = ctx.at.toISOString().slice(0, 10);
  const { charts, problems } = await renderCharts(
    ctx,
    prometheus,
    window,
    reviewCharts(ctx, scope, DAYS),
    `performance-${day}`,
  );
  const blocks: Block[] = [header(`Weekly performance review — ${scope.environment}, week to ${day}`)];
  for (const [title, ids] of Object.entries(GROUPS)) {
    const lines = trends.filter((t) => (ids as readonly string[]).includes(t.kpi.id)).map(kpiLine);
    if (lines.length) blocks.push(section(`*${title}*\n${lines.join('\n')}`.slice(0, 3000)));
  }
  blocks.push(section(await databaseSection(ctx, prometheus, window, scope)));
  const others = trends.filter(
    (t) => !Object.values(GROUPS).some((ids) => (ids as readonly string[]).includes(t.kpi.id)),
  );
  if (others.length) blocks.push(section(`*Other KPIs*\n${others.map(kpiLine).join('\n')}`.slice(0, 3000)));
  blocks.push(...reviewFooter(ctx, recommendations(trends, ctx.at), problems, charts.length, window));
  const attention = trends.filter((t) => t.trend && t.trend.average > t.kpi.warning).length;
  return {
    text: `Weekly performance review (${scope.environment}): ${attention ? `${attention} KPI(s) above warning on average` : 'every KPI within its warning level'}`,
    blocks,
    charts,
  };
}

/** A review's last blocks: its recommendations, what could not be charted, and where the figures come from. */
export function reviewFooter(
  ctx: ReportContext,
  recommendations: readonly string[],
  problems: readonly string[],
  chartCount: number,
  window: RangeWindow,
): Block[] {
  const blocks: Block[] = [
    section(`*Recommendations*\n${recommendations.map((r) => `• ${r}`).join('\n')}`.slice(0, 3000)),
  ];
  if (problems.length) blocks.push(context(`:warning: Not charted: ${problems.join('; ')}`.slice(0, 2000)));
  const source = `Prometheus, ${slackDate(window.start)} – ${slackDate(window.end)}`;
  blocks.push(context([ctx.trigger, `${chartCount} chart(s) in the thread`, source].filter(Boolean).join(' · ')));
  return blocks;
}

/** The runbook's "database performance-report", from postgres_exporter series (policy `reports.performance.database`). */
async function databaseSection(ctx: ReportContext, prometheus: Prometheus, window: RangeWindow, scope: ReviewScope) {
  const lines: string[] = [];
  for (const series of ctx.deps.monitoring.reports.performance.database) {
    const result = await rangeOrError(prometheus, scope.fill(series.query), window);
    const trend = 'error' in result ? undefined : trendOf(result.series[0]?.points ?? []);
    lines.push(
      trend
        ? `• ${series.label}: avg ${round(trend.average)}${series.unit}, peak ${round(trend.max)}${series.unit}, ${trend.perDay >= 0 ? '+' : ''}${round(trend.perDay)}${series.unit}/day`
        : `• ${series.label}: unavailable (${'error' in result ? result.error : 'no data'})`,
    );
  }
  return `*Database performance*\n${lines.join('\n')}`.slice(0, 3000);
}
