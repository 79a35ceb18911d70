import type { PrometheusEmulator } from './prometheus-emulator.ts';
import { fillQuery, latencyQuantiles, reportsPolicySchema } from '../bot.ts';

/** The bot's default queries for the recurring reviews, so the sandbox answers what the bot asks. */
const defaults = reportsPolicySchema.parse({});

/** Per-service CPU (cores) and memory (MiB) the sandbox's EAFIX services use: healthy, uneven. */
export const defaultServiceUsage: Readonly<Record<string, { cpu: number; memory: number }>> = {
  'eafix-data-ingestor': { cpu: 0.42, memory: 610 },
  'eafix-signal-generator': { cpu: 0.88, memory: 940 },
  'eafix-execution-engine': { cpu: 0.65, memory: 720 },
  'eafix-portfolio-manager': { cpu: 0.21, memory: 380 },
  'eafix-risk-manager': { cpu: 0.57, memory: 660 },
  'eafix-auth-service': { cpu: 0.12, memory: 210 },
  'eafix-market-data': { cpu: 0.74, memory: 1020 },
  'eafix-notification-service': { cpu: 0.06, memory: 150 },
};

/**
 * The platform's security posture as its exporters report it (README: Platform metrics for the security
 * checklist). A number is served as the checklist's query answer; `null` takes the series away (no
 * data: the item shows unknown). Leaving a field out keeps what is served now.
 */
export interface SecurityPosture {
  /** `sum(increase(failed_login_attempts[24h]))`: a few typos a day. */
  failedLogins?: number | null;
  /** `sum(eafix_security_updates_pending)`: 0 when patched. */
  pendingUpdates?: number | null;
  /** `min(eafix_backup_encrypted)`: 1 when every location's newest backup is encrypted. */
  backupEncrypted?: number | null;
  /** `sum(increase(eafix_suspicious_access_total[24h]))`: 0 when the platform flagged nothing. */
  suspiciousAccess?: number | null;
  /** `min(eafix_ids_up)`: 1 when every intrusion-detection sensor reports. */
  idsUp?: number | null;
}

/** The healthy posture the sandbox starts with. */
export const healthyPosture: Required<SecurityPosture> = {
  failedLogins: 3,
  pendingUpdates: 0,
  backupEncrypted: 1,
  suspiciousAccess: 0,
  idsUp: 1,
};

/** Serves (or, with `null`, withdraws) the checklist's series: bad values are injected this way. */
export function setSecurityPosture(emu: PrometheusEmulator, posture: SecurityPosture): void {
  const checklist = defaults.securityChecklist;
  const queries: Record<keyof SecurityPosture, string> = {
    failedLogins: checklist.failedLogins.query,
    pendingUpdates: checklist.securityUpdates.query,
    backupEncrypted: checklist.backupEncryption.query,
    suspiciousAccess: checklist.suspiciousAccess.query,
    idsUp: checklist.intrusionDetection.query,
  };
  for (const key of Object.keys(queries) as (keyof SecurityPosture)[]) {
    const value = posture[key];
    if (value !== undefined) emu.setResult(queries[key], value === null ? [] : value);
  }
}

/**
 * Registers the daily security checklist's series (all passing: the healthy posture) and the reviews' latency, per-service and database series for `namespace`.
 */
export function seedEafixReports(emu: PrometheusEmulator, namespace = 'eafix-production'): void {
  setSecurityPosture(emu, healthyPosture);
  const performance = defaults.performance;
  const fill = (query: string, quantile?: number) =>
    fillQuery(query, { namespace, environment: 'production', ...(quantile ? { quantile } : {}) });
  const latency: Record<string, number> = { p50: 18, p95: 42, p99: 95 };
  for (const [name, q] of latencyQuantiles) emu.setResult(fill(performance.latencyQuantile, q), latency[name] ?? 0);
  const services = Object.entries(defaultServiceUsage);
  emu.setResult(
    fill(performance.cpuByService),
    services.map(([container, use]) => ({ metric: { container }, value: use.cpu })),
  );
  emu.setResult(
    fill(performance.memoryByService),
    services.map(([container, use]) => ({ metric: { container }, value: use.memory })),
  );
  const database = [310, 14];
  performance.database.forEach((series, i) => emu.setResult(fill(series.query), database[i] ?? 1));
}
