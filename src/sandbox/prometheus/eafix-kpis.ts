import type { PrometheusEmulator } from './prometheus-emulator.ts';

/**
 * One PromQL expression per EAFIX runbook KPI. The bot's example policy uses the same
 * strings, so the sandbox emulator answers exactly what the bot asks.
 */
export const defaultKpiQueries = {
  api_response_time_ms:
    'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le)) * 1000',
  error_rate_percent:
    '100 * sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
  cpu_usage_percent: '100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m])))',
  memory_usage_percent: '100 * (1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes))',
  disk_usage_percent:
    'max(100 * (1 - node_filesystem_avail_bytes{mountpoint="/",fstype!="tmpfs"} / node_filesystem_size_bytes{mountpoint="/",fstype!="tmpfs"}))',
  signal_generation_latency_ms:
    'histogram_quantile(0.95, sum(rate(eafix_signal_generation_duration_seconds_bucket[5m])) by (le)) * 1000',
  order_execution_time_ms:
    'histogram_quantile(0.95, sum(rate(eafix_order_execution_duration_seconds_bucket[5m])) by (le)) * 1000',
  data_feed_latency_ms:
    'histogram_quantile(0.95, sum(rate(eafix_data_feed_latency_seconds_bucket[5m])) by (le)) * 1000',
  risk_check_time_ms:
    'histogram_quantile(0.95, sum(rate(eafix_risk_check_duration_seconds_bucket[5m])) by (le)) * 1000',
} as const;

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
export function seedEafixKpis(
  emu: PrometheusEmulator,
  values: Partial<Record<EafixKpiId, number>> = {},
): void {
  for (const id of Object.keys(defaultKpiQueries) as EafixKpiId[]) {
    emu.setResult(defaultKpiQueries[id], values[id] ?? defaultKpiValues[id]);
  }
}
