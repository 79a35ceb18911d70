import { AppError } from '../../app-error.ts';
import type { BackupPolicy, DigestSpec, KpiSpec } from '../../config/monitoring-policy.ts';
import type { RunStats } from '../../jobs/run-stats.ts';
import type { Prometheus } from './kpi-readings.ts';
import type { ReportsPolicy } from '../../config/reports-policy.ts';
import type { ChartRenderer } from './chart-port.ts';

/** A BullMQ job scheduler as doctor sees it. */
export interface ScheduleInfo {
  id: string;
  pattern?: string | undefined;
  tz?: string | undefined;
  every?: number | undefined;
  /** When the next tick is due; in the past means no worker is taking the ticks. */
  next?: Date | undefined;
}

export interface DigestRequest {
  digest: string;
  channel: string;
  requestedBy: string;
  requestId: string;
}

/** Posting digests goes through the digest queue, so on-demand and scheduled posts share one path. */
export interface DigestPublisher {
  requestNow(request: DigestRequest): Promise<void>;
  schedules(): Promise<ScheduleInfo[]>;
}

/** A health probe: resolves with a short detail, rejects when the dependency is not usable. */
export type Probe = () => Promise<string>;

/** Digests, KPIs and doctor: wired by start-monitoring.ts. */
export interface MonitoringDeps {
  digests: DigestSpec[];
  kpis: KpiSpec[];
  backups?: BackupPolicy | undefined;
  /** Absent when neither PROMETHEUS_URL nor monitoring.prometheus.url is set. */
  prometheus?: Prometheus | undefined;
  runStats: RunStats;
  publisher: DigestPublisher;
  /** The recurring reviews' settings (policy `reports`) and their chart renderer. */
  reports: ReportsPolicy;
  charts: ChartRenderer;
  probes: { slack: Probe; postgres: Probe; redis: Probe };
}

export function digestNamed(monitoring: MonitoringDeps, name: string | undefined): DigestSpec {
  const digests = monitoring.digests;
  if (digests.length === 0) {
    throw new AppError('no_digests', 'No digests are declared in the policy file.', {
      hints: ['Add one under `digests:` (name, cron, timezone, channel, sections).'],
    });
  }
  const found = name ? digests.find((d) => d.name === name) : (digests.find((d) => d.enabled) ?? digests[0]);
  if (found) return found;
  throw new AppError('unknown_digest', `There is no digest called "${name}".`, {
    hints: [`Digests: ${digests.map((d) => d.name).join(', ')}`],
  });
}
