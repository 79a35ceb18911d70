import { isAppError } from '../../app-error.ts';
import type { BackupPolicy, KpiSpec } from '../../config/monitoring-policy.ts';

/** Instant PromQL values, as KPI evaluation needs them; the HTTP adapter is PrometheusHttpClient. */
export interface RangeWindow {
  start: Date;
  end: Date;
  stepSeconds: number;
}

export interface RangeSeries {
  labels: Record<string, string>;
  points: Array<{ at: Date; value: number }>;
}

export interface Prometheus {
  readonly url: string;
  /** The expression's value now: the highest sample, or undefined when Prometheus has no data. */
  instant(query: string): Promise<number | undefined>;
  /** Every series of an instant query with its labels (runbook: `eafix-cli metrics query`). */
  series(query: string): Promise<Array<{ labels: Record<string, string>; value: number }>>;
  /** Every series of a range query, one point per step (the reviews' trends and charts). */
  range(query: string, window: RangeWindow): Promise<RangeSeries[]>;
  /** Resolves when Prometheus reports itself ready. */
  ready(): Promise<void>;
}

/** A traffic light. `unavailable` is grey: no value, and the reason says why. */
export type Band = 'ok' | 'warning' | 'critical' | 'unavailable';

export interface KpiReading {
  id: string;
  label: string;
  unit: string;
  band: Band;
  value?: number;
  /** Within the runbook's target (only meaningful when band is ok: between target and warning is ok but not on target). */
  onTarget?: boolean;
  reason?: string;
  thresholds: { target: number; warning: number; critical: number };
}

/**
 * The runbook's bands, all "lower is better": above critical is critical, above warning is warning, anything
 * else is ok, and ok below the target is on target. The boundaries themselves belong to the better band,
 * as the runbook writes them ("> 200ms" warns, 200 ms does not).
 */
export function bandOf(
  value: number,
  thresholds: { target: number; warning: number; critical: number },
): { band: Band; onTarget: boolean } {
  if (value > thresholds.critical) return { band: 'critical', onTarget: false };
  if (value > thresholds.warning) return { band: 'warning', onTarget: false };
  return { band: 'ok', onTarget: value < thresholds.target };
}

/** `{environment}` and `{namespace}` in a query, for policies that label their metrics by environment. */
export function fillQuery(query: string, vars: { environment: string; namespace: string }): string {
  return query.replaceAll('{environment}', vars.environment).replaceAll('{namespace}', vars.namespace);
}

function reasonOf(error: unknown): string {
  return isAppError(error) ? error.userMessage : 'the query failed';
}

/** Every KPI at once; one failing query never hides the others, and a missing Prometheus greys them all. */
export async function readKpis(
  prometheus: Prometheus | undefined,
  specs: readonly KpiSpec[],
  vars: { environment: string; namespace: string },
): Promise<KpiReading[]> {
  return Promise.all(
    specs.map(async (spec): Promise<KpiReading> => {
      const base = {
        id: spec.id,
        label: spec.label,
        unit: spec.unit,
        thresholds: { target: spec.target, warning: spec.warning, critical: spec.critical },
      };
      if (!prometheus) return { ...base, band: 'unavailable', reason: 'Prometheus is not configured' };
      try {
        const value = await prometheus.instant(fillQuery(spec.query, vars));
        if (value === undefined) return { ...base, band: 'unavailable', reason: 'no data' };
        return { ...base, value, ...bandOf(value, base.thresholds) };
      } catch (error) {
        return { ...base, band: 'unavailable', reason: reasonOf(error) };
      }
    }),
  );
}

export interface BackupReading {
  band: Band;
  ageSeconds?: number;
  reason?: string;
  warnAfterSeconds: number;
  criticalAfterSeconds: number;
}

/** Backup freshness: the age of the newest good backup against the policy's warn/critical ages. */
export async function readBackupAge(
  prometheus: Prometheus | undefined,
  policy: BackupPolicy,
  vars: { environment: string; namespace: string },
): Promise<BackupReading> {
  const limits = { warnAfterSeconds: policy.warnAfter / 1000, criticalAfterSeconds: policy.criticalAfter / 1000 };
  if (!prometheus) return { ...limits, band: 'unavailable', reason: 'Prometheus is not configured' };
  try {
    const age = await prometheus.instant(fillQuery(policy.query, vars));
    if (age === undefined)
      return { ...limits, band: 'unavailable', reason: 'no backup metric (has a backup ever run?)' };
    const { band } = bandOf(age, {
      target: limits.warnAfterSeconds,
      warning: limits.warnAfterSeconds,
      critical: limits.criticalAfterSeconds,
    });
    return { ...limits, band, ageSeconds: age };
  } catch (error) {
    return { ...limits, band: 'unavailable', reason: reasonOf(error) };
  }
}

/** `42 ms`, `1.2 s`, `0.02%`: the unit the runbook uses, numbers rounded for reading. */
export function formatKpiValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return `${value > 0 ? '∞' : '-∞'} ${unit}`.trim();
  const round = (n: number) =>
    Math.abs(n) >= 100
      ? Math.round(n).toString()
      : Math.abs(n) >= 10
        ? n.toFixed(1).replace(/\.0$/, '')
        : Number(n.toPrecision(2)).toString();
  if (unit === 'ms' && value >= 1000) return `${round(value / 1000)} s`;
  if (unit === '%') return `${round(value)}%`;
  return `${round(value)} ${unit}`.trim();
}

/** `2h 5m`, `3d 4h`: how old a backup is. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  return h % 24 ? `${Math.floor(h / 24)}d ${h % 24}h` : `${Math.floor(h / 24)}d`;
}
