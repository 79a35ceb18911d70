import type { PrometheusEmulator } from './prometheus-emulator.ts';
import { runbookKpis, type KnownKpiId } from '../bot.ts';

/**
 * One PromQL expression per EAFIX runbook KPI, taken from the bot's own defaults, so the sandbox
 * emulator answers exactly what the bot asks and the two can never drift apart.
 */
export const defaultKpiQueries = Object.fromEntries(
  Object.entries(runbookKpis).map(([id, kpi]) => [id, kpi.query]),
) as Readonly<Record<KnownKpiId, string>>;

export type EafixKpiId = keyof typeof defaultKpiQueries;

/** Healthy values, each inside the runbook's target band. */
export const defaultKpiValues: Readonly<Record<EafixKpiId, number>> = {
  api_response_time_ms: 42, // target < 100ms
  error_rate_percent: 0.02, // target < 0.1%
  cpu_usage_percent: 38, // target < 70%
  memory_usage_percent: 56, // target < 80%
  disk_usage_percent: 47, // target < 80%
  signal_generation_latency_ms: 21, // target < 50ms
  order_execution_time_ms: 180, // target < 500ms
  data_feed_latency_ms: 3.5, // target < 10ms
  risk_check_time_ms: 35, // target < 100ms
};

/** Register every KPI query on the emulator with healthy defaults, overridden by `values`. */
export function seedEafixKpis(emu: PrometheusEmulator, values: Partial<Record<EafixKpiId, number>> = {}): void {
  for (const id of Object.keys(defaultKpiQueries) as EafixKpiId[]) {
    emu.setResult(defaultKpiQueries[id], values[id] ?? defaultKpiValues[id]);
  }
}
