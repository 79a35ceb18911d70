import { formatKpiValue, type Band, type KpiReading } from './kpi-readings.ts';

export const bandIcon: Record<Band, string> = {
  ok: ':large_green_circle:',
  warning: ':large_yellow_circle:',
  critical: ':red_circle:',
  unavailable: ':white_circle:',
};

/** One KPI as a traffic light with the threshold that put it there. */
export function kpiLine(k: KpiReading): string {
  const fmt = (n: number) => formatKpiValue(n, k.unit);
  const { target, warning, critical } = k.thresholds;
  if (k.band === 'unavailable' || k.value === undefined)
    return `${bandIcon.unavailable} *${k.label}* unavailable — ${k.reason ?? 'no value'}`;
  const value = fmt(k.value);
  if (k.band === 'critical') return `${bandIcon.critical} *${k.label}* ${value} — critical (> ${fmt(critical)})`;
  if (k.band === 'warning')
    return `${bandIcon.warning} *${k.label}* ${value} — warning (> ${fmt(warning)}; critical > ${fmt(critical)})`;
  return k.onTarget
    ? `${bandIcon.ok} *${k.label}* ${value} (target < ${fmt(target)})`
    : `${bandIcon.ok} *${k.label}* ${value} — above the ${fmt(target)} target (warning > ${fmt(warning)})`;
}

export function kpiCounts(readings: readonly KpiReading[]): Record<Band, number> {
  const counts: Record<Band, number> = { ok: 0, warning: 0, critical: 0, unavailable: 0 };
  for (const k of readings) counts[k.band] += 1;
  return counts;
}

/** `7 ok, 1 warning, 1 critical, 0 unavailable` */
export function kpiSummary(readings: readonly KpiReading[]): string {
  const c = kpiCounts(readings);
  return `${c.ok} ok, ${c.warning} warning, ${c.critical} critical, ${c.unavailable} unavailable`;
}

/**
 * The KPI section's text. Unavailable KPIs are named in one line (with the shared reason when there is one),
 * so "Prometheus is down" reads as one fact, not nine.
 */
export function kpiText(readings: readonly KpiReading[]): string {
  if (readings.length === 0) return '*KPIs* — none configured';
  const available = readings.filter((k) => k.band !== 'unavailable');
  const unavailable = readings.filter((k) => k.band === 'unavailable');
  const lines = [`*KPIs* — ${kpiSummary(readings)}`, ...available.map(kpiLine)];
  const reasons = [...new Set(unavailable.map((k) => k.reason ?? 'no value'))];
  if (unavailable.length > 1 && reasons.length === 1) {
    lines.push(`${bandIcon.unavailable} *Unavailable:* ${unavailable.map((k) => k.label).join(', ')} — ${reasons[0]}`);
  } else {
    lines.push(...unavailable.map(kpiLine));
  }
  return lines.join('\n');
}
