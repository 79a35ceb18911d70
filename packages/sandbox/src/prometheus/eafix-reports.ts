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
 * Registers the daily security checklist's series (all passing: no pending updates, backups encrypted,
 * intrusion detection up) and the reviews' latency, per-service and database series for `namespace`.
 */
export function seedEafixReports(emu: PrometheusEmulator, namespace = 'eafix-production'): void {
  const checklist = defaults.securityChecklist;
  emu.setResult(checklist.securityUpdates.query, 0);
  emu.setResult(checklist.backupEncryption.query, 1);
  emu.setResult(checklist.intrusionDetection.query, 1);
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
