/**
 * A DR drill's measured recovery compared with the runbook's Recovery Time Objectives table: the
 * recovery time against each RTO, the restored backup's age (the data a real recovery would lose)
 * against each RPO.
 */
import { DISASTER_LABELS, DISASTER_TYPES, type DrPolicy } from '../../config/dr-policy.ts';
import type { DrRecord } from './dr-records.ts';
import { formatDuration } from './backup-naming.ts';

/** The row a restore-from-backup drill is held to (kept with the record, for trends). */
export const DRILL_OBJECTIVE = 'database-corruption';

export function objectivesTable(
  objectives: DrPolicy['objectives'],
  recoveryMs: number | undefined,
  backupAgeMs: number | undefined,
): string {
  const mark = (value: number | undefined, target: number) =>
    value === undefined ? ':grey_question:' : value <= target ? ':white_check_mark:' : ':x:';
  return DISASTER_TYPES.map((type) => {
    const { rto, rpo } = objectives[type];
    return `${mark(recoveryMs, rto)} ${DISASTER_LABELS[type]}: RTO ${formatDuration(rto)} ${mark(backupAgeMs, rpo)} RPO ${formatDuration(rpo)}`;
  }).join('\n');
}

/** One line per drill: when, outcome, recovery time against its RTO, and the change from the drill before. */
export function drillLines(drills: readonly DrRecord[]): string[] {
  return drills.map((d, i) => {
    const previous = drills.slice(i + 1).find((p) => p.recoveryMs !== undefined);
    const trend =
      d.recoveryMs !== undefined && previous?.recoveryMs !== undefined
        ? d.recoveryMs > previous.recoveryMs
          ? ` (:arrow_up: ${formatDuration(d.recoveryMs - previous.recoveryMs)} slower)`
          : d.recoveryMs < previous.recoveryMs
            ? ` (:arrow_down: ${formatDuration(previous.recoveryMs - d.recoveryMs)} faster)`
            : ' (same)'
        : '';
    const recovery =
      d.recoveryMs !== undefined
        ? `recovered in ${formatDuration(d.recoveryMs)}${d.rtoMs !== undefined ? ` (RTO ${formatDuration(d.rtoMs)} ${d.recoveryMs <= d.rtoMs ? 'met' : 'MISSED'})` : ''}${trend}`
        : 'no recovery time';
    const age = d.backupAgeMs !== undefined ? `, backup ${formatDuration(d.backupAgeMs)} old` : '';
    return `${d.passed ? ':large_green_circle:' : ':red_circle:'} ${d.finishedAt.toISOString().slice(0, 16).replace('T', ' ')} ${d.environment}: ${recovery}${age}${d.backupName ? ` — \`${d.backupName}\`` : ''}`;
  });
}
