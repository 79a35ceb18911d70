import type { RangeSeries } from './kpi-readings.ts';

export interface TrendStats {
  average: number;
  max: number;
  last: number;
  /** Least-squares slope, per day. */
  perDay: number;
  /** The fitted line's value at `at` (the forecast). */
  at: (when: Date) => number;
}

const DAY_MS = 86_400_000;

/** Average, peak, latest and linear trend of one series; undefined without at least two points. */
export function trendOf(points: RangeSeries['points']): TrendStats | undefined {
  if (points.length < 2) return undefined;
  const xs = points.map((p) => p.at.getTime() / DAY_MS);
  const ys = points.map((p) => p.value);
  const n = points.length;
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - meanX) * ((ys[i] as number) - meanY);
    den += (x - meanX) ** 2;
  });
  const slope = den === 0 ? 0 : num / den;
  return {
    average: meanY,
    max: Math.max(...ys),
    last: ys[n - 1] as number,
    perDay: slope,
    at: (when) => meanY + slope * (when.getTime() / DAY_MS - meanX),
  };
}

/** When the trend reaches `level`, if it is rising towards it (undefined when flat, falling or already past). */
export function crossing(trend: TrendStats, level: number, from: Date): Date | undefined {
  const now = trend.at(from);
  if (now >= level || trend.perDay <= 0) return undefined;
  return new Date(from.getTime() + ((level - now) / trend.perDay) * DAY_MS);
}

/** A series' name from its labels: the first of `keys` present, else every label, else the fallback. */
export function seriesName(labels: Record<string, string>, fallback: string, keys = ['container', 'service']): string {
  for (const key of keys) if (labels[key]) return labels[key];
  const rest = Object.entries(labels).filter(([k]) => k !== '__name__');
  return rest.length ? rest.map(([k, v]) => `${k}=${v}`).join(',') : fallback;
}

/** Numbers as people read them in a report: 3 significant digits, no trailing noise. */
export const round = (value: number) => (Math.abs(value) >= 100 ? Math.round(value) : Number(value.toPrecision(3)));
