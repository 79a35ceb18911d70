export { PrometheusEmulator } from './prometheus-emulator.ts';
export type {
  FailureSpec,
  PrometheusEmulatorOptions,
  PrometheusQueryRecord,
  PromSample,
} from './prometheus-emulator.ts';
export type { ErrorType as PrometheusErrorType } from './prom-wire.ts';
export { defaultKpiQueries, defaultKpiValues, seedEafixKpis } from './eafix-kpis.ts';
export type { EafixKpiId } from './eafix-kpis.ts';
export { defaultServiceUsage, healthyPosture, seedEafixReports, setSecurityPosture } from './eafix-reports.ts';
export type { SecurityPosture } from './eafix-reports.ts';
export { seedEafixDiagnosis } from './eafix-diagnosis.ts';
export { exportPlatformState, type PlatformMetricQueries } from './platform-metrics.ts';
