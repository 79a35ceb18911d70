import { header, section, type Block } from '../core/reply.ts';
import { slackDate } from './digest-sections.ts';
import { renderCharts, reviewCharts, reviewFooter } from './performance-review.ts';
import type { LineChart } from './chart-port.ts';
import type { ComposedReport, ReportContext } from './report-types.ts';
import { kpiTrends, prometheusOf, reviewScope, windowOf, type KpiTrend } from './review-data.ts';
import { crossing, round, trendOf } from './trend-stats.ts';

const DAYS = 30;
const FORECAST_DAYS = 90;
const DAY_MS = 86_400_000;
const RESOURCE_KPIS = ['cpu_usage_percent', 'memory_usage_percent', 'disk_usage_percent'];

/** One resource's 3-month forecast: where its linear trend leads, and when it crosses warning and critical. */
export function forecastLine({ kpi, trend, error }: KpiTrend, at: Date): string {
  if (!trend) return `:white_circle: ${kpi.label}: no forecast (${error ?? 'no data'})`;
  const horizon = new Date(at.getTime() + FORECAST_DAYS * DAY_MS);
  const projected = trend.at(horizon);
  const warn = crossing(trend, kpi.warning, at);
  const crit = crossing(trend, kpi.critical, at);
  const soon = (d: Date | undefined) => d !== undefined && d.getTime() <= horizon.getTime();
  const mark = soon(crit)
    ? ':red_circle:'
    : soon(warn) || projected > kpi.warning
      ? ':large_orange_circle:'
      : ':large_green_circle:';
  const when = [
    warn && soon(warn) ? `warning (${kpi.warning}${kpi.unit}) ${slackDate(warn)}` : undefined,
    crit && soon(crit) ? `critical (${kpi.critical}${kpi.unit}) ${slackDate(crit)}` : undefined,
  ].filter(Boolean);
  return `${mark} ${kpi.label}: now ${round(trend.last)}${kpi.unit}, 30-day avg ${round(trend.average)}${kpi.unit}, in 3 months ≈ ${round(projected)}${kpi.unit}${when.length ? ` — reaches ${when.join(', ')}` : ''}`;
}

export function capacityRecommendations(trends: KpiTrend[], at: Date): string[] {
  const horizon = new Date(at.getTime() + FORECAST_DAYS * DAY_MS);
  const out: string[] = [];
  for (const { kpi, trend } of trends) {
    if (!trend) continue;
    const warn = crossing(trend, kpi.warning, at);
    if (trend.last > kpi.warning)
      out.push(`*${kpi.label}* is above its warning level now: scale out or add capacity this month.`);
    else if (warn && warn <= horizon)
      out.push(
        `*${kpi.label}* is forecast to pass ${kpi.warning}${kpi.unit} around ${slackDate(warn)}: plan the capacity before then.`,
      );
    else if (trend.average < kpi.target / 2)
      out.push(
        `*${kpi.label}* averaged ${round(trend.average)}${kpi.unit}: there may be room to scale down and save cost.`,
      );
  }
  return out.length ? out : ['Capacity holds for the next 3 months at the current trend.'];
}

/** A chart's series continued by their linear trend for three months, dashed. */
export function withForecast(chart: LineChart, at: Date): LineChart {
  const bySeries = new Map<string, Array<{ at: Date; value: number }>>();
  for (const p of chart.points) bySeries.set(p.series, [...(bySeries.get(p.series) ?? []), p]);
  const forecast: LineChart['points'] = [];
  for (const [series, points] of bySeries) {
    const trend = trendOf(points);
    if (!trend) continue;
    for (let d = 0; d <= FORECAST_DAYS; d += 15) {
      const when = new Date(at.getTime() + d * DAY_MS);
      forecast.push({ series, at: when, value: Math.max(0, trend.at(when)), forecast: true });
    }
  }
  return { ...chart, title: `${chart.title} + 3-month forecast`, points: [...chart.points, ...forecast] };
}

/** The runbook's Monthly Capacity Review: 30 days of Prometheus, a 3-month linear forecast, charts. */
export async function composeCapacityReview(ctx: ReportContext): Promise<ComposedReport> {
  const prometheus = prometheusOf(ctx.deps.monitoring.prometheus);
  const scope = reviewScope(ctx.deps.monitoring.reports.performance, ctx.deps.topology);
  const window = windowOf(ctx.at, DAYS, 120);
  const resources = ctx.deps.monitoring.kpis.filter((k) => RESOURCE_KPIS.includes(k.id));
  const trends = await kpiTrends(prometheus, resources, window, (q) => scope.fill(q));
  const specs = reviewCharts(ctx, scope, DAYS).filter((s) => s.file === 'cpu' || s.file === 'memory');
  const month = ctx.at.toISOString().slice(0, 7);
  const { charts, problems } = await renderCharts(ctx, prometheus, window, specs, `capacity-${month}`, (c) =>
    withForecast(c, ctx.at),
  );
  const blocks: Block[] = [
    header(`Monthly capacity review — ${scope.environment}, ${month}`),
    section(
      `*Forecast (3 months, linear trend of the last 30 days)*\n${trends.map((t) => forecastLine(t, ctx.at)).join('\n')}`.slice(
        0,
        3000,
      ),
    ),
    ...reviewFooter(ctx, capacityRecommendations(trends, ctx.at), problems, charts.length, window),
  ];
  return { text: `Monthly capacity review (${scope.environment}, ${month})`, blocks, charts };
}
