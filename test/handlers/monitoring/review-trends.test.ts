import { describe, expect, it } from 'vitest';
import { runbookKpis } from '../../../src/config/monitoring-policy.ts';
import {
  capacityRecommendations,
  forecastLine,
  withForecast,
} from '../../../src/handlers/monitoring/capacity-review.ts';
import { recommendations } from '../../../src/handlers/monitoring/performance-review.ts';
import { crossing, trendOf } from '../../../src/handlers/monitoring/trend-stats.ts';

const DAY = 86_400_000;
const at = new Date('2026-11-30T09:00:00Z');
const disk = { id: 'disk_usage_percent', ...runbookKpis.disk_usage_percent };
/** Disk usage growing one point a day for 30 days, ending at 60 %. */
const growing = Array.from({ length: 31 }, (_, i) => ({ at: new Date(at.getTime() - (30 - i) * DAY), value: 30 + i }));

describe('review trends', () => {
  it('fits a line: average, peak, slope per day, and when it crosses a level', () => {
    const trend = trendOf(growing)!;
    expect(trend.average).toBeCloseTo(45);
    expect(trend.max).toBe(60);
    expect(trend.perDay).toBeCloseTo(1);
    // 60 % now, +1 a day: warning (85) in 25 days, critical (95) in 35.
    expect(crossing(trend, 85, at)!.getTime()).toBeCloseTo(at.getTime() + 25 * DAY, -5);
    expect(crossing(trend, 50, at)).toBeUndefined();
    expect(trendOf([{ at, value: 1 }])).toBeUndefined();
  });

  it('forecasts three months and says when warning and critical are reached', () => {
    const line = forecastLine({ kpi: disk, trend: trendOf(growing) }, at);
    expect(line).toMatch(/^:red_circle: Disk usage: now 60%, 30-day avg 45%, in 3 months ≈ 150%/);
    expect(line).toContain('reaches warning (85%)');
    expect(line).toContain('critical (95%)');
    expect(capacityRecommendations([{ kpi: disk, trend: trendOf(growing) }], at)[0]).toContain(
      '*Disk usage* is forecast to pass 85%',
    );
    const flat = trendOf(growing.map((p) => ({ ...p, value: 20 })));
    expect(capacityRecommendations([{ kpi: disk, trend: flat }], at)).toEqual([
      '*Disk usage* averaged 20%: there may be room to scale down and save cost.',
    ]);
  });

  it('continues every chart series dashed for three months', () => {
    const chart = withForecast(
      { title: 'Disk', yTitle: '%', points: growing.map((p) => ({ series: 'disk', ...p })) },
      at,
    );
    const forecast = chart.points.filter((p) => p.forecast);
    expect(forecast).toHaveLength(7);
    expect(forecast.at(-1)!.at.getTime()).toBe(at.getTime() + 90 * DAY);
    expect(forecast.at(-1)!.value).toBeCloseTo(150);
    expect(chart.title).toBe('Disk + 3-month forecast');
  });

  it('recommends from the week: above warning first, quiet weeks say so', () => {
    const api = { id: 'api_response_time_ms', ...runbookKpis.api_response_time_ms };
    const slow = trendOf(growing.map((p) => ({ ...p, value: 250 })));
    expect(recommendations([{ kpi: api, trend: slow }], at)[0]).toContain('*API response time* averaged 250 ms');
    const quick = trendOf(growing.map((p) => ({ ...p, value: 40 })));
    expect(recommendations([{ kpi: api, trend: quick }], at)).toEqual([
      'No KPI needs action this week: every one stayed inside its target band.',
    ]);
  });
});
