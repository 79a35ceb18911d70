import { platformSwitches } from '../core/platform-status.ts';
import { isAppError } from '../../app-error.ts';
import type { DigestSection } from '../../config/monitoring-policy.ts';
import type { DeploymentStatus, LiveColour } from '../../cluster/cluster.ts';
import { namespaceFor } from '../../cluster/cluster-targets.ts';
import type { RunCounts } from '../../jobs/run-stats.ts';
import type { RunRecord } from '../../jobs/run-record.ts';
import type { Logger } from '../../logger.ts';
import { readBackupAge, readKpis, type BackupReading, type KpiReading } from './kpi-readings.ts';
import type { ApprovalRequest } from '../../permissions/approval-types.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import type { Incident } from '../incidents/incident-types.ts';
import type { MonitoringDeps } from './monitoring-deps.ts';
import { readDrStatus, type DrStatus } from '../disaster-recovery/dr-status.ts';

/** A section's data, or why it could not be had: one failing source never stops the digest. */
export type Part<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface PlatformSnapshot {
  trading: string;
  maintenance: { enabled: boolean; message?: string | undefined };
}

/** Everything a digest shows, gathered once; the presenters are pure functions of it. */
export interface DigestSnapshot {
  name: string;
  environment: string;
  at: Date;
  /** Which cluster the environment lives in, when the bot uses more than one. */
  cluster?: string;
  sections: readonly DigestSection[];
  health?: Part<DeploymentStatus[]>;
  deploys?: Part<{ live: LiveColour; last: RunRecord | undefined }>;
  platform?: Part<PlatformSnapshot>;
  kpis?: KpiReading[];
  /** Undefined when this bot has no incident service: the section is left out. */
  incidents?: Part<Incident[]>;
  approvals?: Part<ApprovalRequest[]>;
  runs?: Part<RunCounts>;
  /** Undefined when backup freshness is not configured: the section is left out. */
  backups?: BackupReading;
  /** With the backups section: newest backup, newest verified backup and newest drill against their targets. */
  recovery?: Part<DrStatus>;
}

const DAY_MS = 24 * 3600 * 1000;

export async function part<T>(work: () => Promise<T>, logger: Logger): Promise<Part<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (isAppError(error)) return { ok: false, reason: error.userMessage };
    logger.warn({ err: error }, 'digest section failed');
    return { ok: false, reason: 'unavailable (see the bot log)' };
  }
}

/**
 * Reads what the chosen sections need, all at once. The cluster is asked for one deployment list, one
 * pod list and the gateway service, however many services there are.
 */
export async function gatherDigest(
  deps: ActionDeps,
  monitoring: MonitoringDeps,
  spec: { name: string; environment: string; sections: readonly DigestSection[] },
  logger: Logger,
): Promise<DigestSnapshot> {
  const { environment, sections } = spec;
  const wants = (s: DigestSection) => sections.includes(s);
  const at = deps.now();
  const namespace = (() => {
    try {
      return namespaceFor(deps.topology, environment);
    } catch {
      return environment;
    }
  })();
  const vars = { environment, namespace };
  const status = wants('health') ? part(() => deps.cluster.status(environment), logger) : undefined;
  const live = wants('deploys') ? part(() => deps.cluster.liveColour(environment), logger) : undefined;
  const recovery = wants('backups') ? part(() => readDrStatus(deps), logger) : undefined;
  const [health, deploys, platform, kpis, incidents, approvals, runs, backups] = await Promise.all([
    status,
    live &&
      (async () => {
        const colour = await live;
        if (!colour.ok) return colour;
        return part(
          async () => ({ live: colour.value, last: await monitoring.runStats.lastChange(environment) }),
          logger,
        );
      })(),
    wants('platform') ? part(() => platformSwitches(deps, environment), logger) : undefined,
    wants('kpis') ? readKpis(monitoring.prometheus, monitoring.kpis, vars) : undefined,
    wants('incidents') ? part(() => deps.incidents.listOpen(), logger) : undefined,
    wants('approvals') ? part(() => deps.approvals.listPending(50), logger) : undefined,
    wants('runs') ? part(() => monitoring.runStats.countSince(new Date(at.getTime() - DAY_MS)), logger) : undefined,
    wants('backups') && monitoring.backups ? readBackupAge(monitoring.prometheus, monitoring.backups, vars) : undefined,
  ]);
  return {
    name: spec.name,
    environment,
    at,
    ...(deps.sites.otherClusters(environment).length > 0 ? { cluster: deps.sites.nameOf(environment) } : {}),
    sections,
    ...(health ? { health } : {}),
    ...(deploys ? { deploys } : {}),
    ...(platform ? { platform } : {}),
    ...(kpis ? { kpis } : {}),
    ...(incidents ? { incidents } : {}),
    ...(approvals ? { approvals } : {}),
    ...(runs ? { runs } : {}),
    ...(backups ? { backups } : {}),
    ...(recovery ? { recovery: await recovery } : {}),
  };
}
