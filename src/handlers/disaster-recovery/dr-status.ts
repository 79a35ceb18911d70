/**
 * Disaster-recovery readiness at a glance, for the digest's backup section and the App Home: the newest
 * backup (from Velero), the newest verified backup and the newest drill (from their records), each
 * against its target.
 */
import type { VeleroStatus } from '../../cluster/cluster.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { backupAgeMs, describeBackup, formatDuration, isGoodBackup } from './backup-naming.ts';
import type { DrRecord } from './dr-records.ts';

export interface DrStatus {
  at: Date;
  lastBackup?: VeleroStatus | undefined;
  lastVerified?: DrRecord | undefined;
  lastDrill?: DrRecord | undefined;
  targets: { backupMs: number; verifiedMs: number; drillMs: number };
}

export async function readDrStatus(deps: Pick<ActionDeps, 'cluster' | 'dr' | 'now'>): Promise<DrStatus> {
  const [backups, lastVerified, drills] = await Promise.all([
    deps.cluster.listBackups(),
    deps.dr.records.lastPassed('verification'),
    deps.dr.records.list('drill', 1),
  ]);
  return {
    at: deps.now(),
    lastBackup: backups.find((b) => b.terminal),
    lastVerified,
    lastDrill: drills[0],
    targets: deps.dr.policy.targets,
  };
}

const icon = (ok: boolean | undefined) =>
  ok === undefined ? ':white_circle:' : ok ? ':large_green_circle:' : ':red_circle:';

export function drStatusText(s: DrStatus): string {
  const now = s.at.getTime();
  const backupAge = s.lastBackup ? backupAgeMs(s.lastBackup, s.at) : undefined;
  const backupOk = s.lastBackup ? isGoodBackup(s.lastBackup) && (backupAge ?? 0) <= s.targets.backupMs : false;
  const backup = s.lastBackup
    ? `${icon(backupOk)} last backup \`${s.lastBackup.name}\` ${describeBackup(s.lastBackup)}, ${formatDuration(backupAge ?? 0)} old (target ${formatDuration(s.targets.backupMs)})`
    : `${icon(false)} no backup yet (target ${formatDuration(s.targets.backupMs)})`;
  const verifiedAge = s.lastVerified ? now - s.lastVerified.finishedAt.getTime() : undefined;
  const verified = s.lastVerified
    ? `${icon((verifiedAge ?? 0) <= s.targets.verifiedMs)} last verified \`${s.lastVerified.backupName ?? '?'}\` ${formatDuration(verifiedAge ?? 0)} ago (target ${formatDuration(s.targets.verifiedMs)})`
    : `${icon(false)} no verified backup yet (target ${formatDuration(s.targets.verifiedMs)})`;
  const drillAge = s.lastDrill ? now - s.lastDrill.finishedAt.getTime() : undefined;
  const drill = s.lastDrill
    ? `${icon(s.lastDrill.passed && (drillAge ?? 0) <= s.targets.drillMs)} last drill ${s.lastDrill.passed ? 'passed' : 'FAILED'} ${formatDuration(drillAge ?? 0)} ago${s.lastDrill.recoveryMs !== undefined ? `, recovery ${formatDuration(s.lastDrill.recoveryMs)}${s.lastDrill.rtoMs !== undefined ? ` (RTO ${formatDuration(s.lastDrill.rtoMs)})` : ''}` : ''} (target ${formatDuration(s.targets.drillMs)})`
    : `${icon(false)} no DR drill yet (target ${formatDuration(s.targets.drillMs)})`;
  return `*Disaster recovery*\n${backup}\n${verified}\n${drill}`;
}
