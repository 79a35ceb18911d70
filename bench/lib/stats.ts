/** Medians, spreads and ratios over rounds. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

export const median = (values: number[]) => percentile(values, 50);

export interface Summary {
  median: number;
  min: number;
  max: number;
  rounds: number[];
}

export function summarise(rounds: number[]): Summary {
  return { median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds), rounds };
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

/** "12.3 (10.1–15.0)": the median of the rounds and their range. */
export const spread = (s: Summary, digits = 1) =>
  `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

export const ratio = (subject: number, baseline: number) => (baseline > 0 ? subject / baseline : NaN);
