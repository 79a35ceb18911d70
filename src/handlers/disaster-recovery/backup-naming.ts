/**
 * Names and small shared words of the Disaster Recovery chapter: the runbook's backup names
 * (`eafix-backup-YYYYMMDD-HHMMSS`), the labels that tie a Velero object to an environment and a run,
 * and ages as people read them.
 */
import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { platformJobName } from '../../cluster/kube-jobs.ts';
import type { VeleroStatus } from '../../cluster/cluster.ts';
import type { PlanItem } from '../../permissions/approval-types.ts';
import type { ActionDeps } from '../core/action-deps.ts';

export const ENVIRONMENT_LABEL = 'eafix.io/environment';
export const RUN_LABEL = 'eafix.io/run-id';

export const backupNameInput = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/, 'must be a Velero backup name like eafix-backup-20261130-020000')
  .describe('a Velero backup name (see `/eafix backup list`)');

const pad = (n: number) => String(n).padStart(2, '0');

/** The runbook's name for a backup taken at `at` (UTC). */
export function backupNameAt(at: Date): string {
  const d = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  const t = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return `eafix-backup-${d}-${t}`;
}

/** A Velero object named by the run that makes it: a resumed step finds it instead of making a second. */
export const runObjectName = (purpose: string, runId: string): string => platformJobName('eafix', purpose, runId);

export function namespacesToBackUp(deps: Pick<ActionDeps, 'dr' | 'topology'>, environment: string): string[] {
  const own = deps.topology.environments[environment]?.namespace;
  if (!own)
    throw new AppError('unknown_environment', `There is no environment called "${environment}".`, {
      hints: [`Known environments: ${Object.keys(deps.topology.environments).join(', ')}`],
    });
  return deps.dr.policy.backups.includedNamespaces[environment] ?? [own];
}

/** "3h 12m", "2d 4h", "45s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? ` ${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${m % 60 ? ` ${m % 60}m` : ''}`;
  const d = Math.floor(h / 24);
  return `${d}d${h % 24 ? ` ${h % 24}h` : ''}`;
}

/** How old a backup's data is: from when Velero finished taking it (or began, while it runs). */
export function backupAgeMs(backup: VeleroStatus, now: Date): number | undefined {
  const at = backup.completedAt ?? backup.startedAt ?? backup.createdAt;
  return at ? Math.max(0, now.getTime() - Date.parse(at)) : undefined;
}

/** "Completed", "PartiallyFailed (2 errors)", "Failed: reason". */
export function describeBackup(b: VeleroStatus): string {
  const counts = [b.errors ? `${b.errors} error(s)` : '', b.warnings ? `${b.warnings} warning(s)` : '']
    .filter(Boolean)
    .join(', ');
  return `${b.phase}${counts ? ` (${counts})` : ''}${b.failureReason ? `: ${b.failureReason}` : ''}${b.validationErrors.length ? `: ${b.validationErrors.join('; ')}` : ''}`;
}

/** A Velero backup counts as good only Completed without errors: PartiallyFailed never does. */
export const isGoodBackup = (b: VeleroStatus): boolean => b.phase === 'Completed' && b.errors === 0;

/** The backup an approved plan fixed (its first item carrying `backup`). */
export function planned<T extends string>(plan: PlanItem[], key: T): string | undefined {
  for (const item of plan) {
    const value = (item.change as Record<string, unknown> | undefined)?.[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}
