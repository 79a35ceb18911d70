import { AppError } from '../../app-error.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { backupCreate } from './backup-create.ts';
import { backupNameAt } from './backup-naming.ts';
import { backupVerify } from './backup-verify.ts';
import { drDrill } from './dr-drill.ts';
import { startScheduledRun } from './scheduled-runs.ts';

/**
 * A tick of a policy schedule (`disasterRecovery.fullBackup`, `.hourlyBackup`, `.verification`, `.drill`):
 * start its run, once per tick.
 */
export async function onDrScheduleTick(deps: ActionDeps, schedule: string, due: Date): Promise<void> {
  const policy = deps.dr.policy;
  const backups = { 'full-backup': policy.fullBackup, 'hourly-backup': policy.hourlyBackup } as const;
  if (schedule === 'full-backup' || schedule === 'hourly-backup') {
    const { environment } = backups[schedule];
    await startScheduledRun(
      deps,
      backupCreate,
      {
        environment,
        // Named by the tick: the backup is the one this tick took, whichever replica and however often delivered.
        name: backupNameAt(due),
        reason: schedule === 'full-backup' ? 'Daily full backup' : 'Hourly backup during trading hours',
      },
      schedule,
      due,
    );
    return;
  }
  if (schedule === 'verification') {
    await startScheduledRun(
      deps,
      backupVerify,
      { latest: true, environment: policy.verification.environment, reason: 'Daily backup verification' },
      schedule,
      due,
    );
    return;
  }
  if (schedule === 'drill') {
    await startScheduledRun(
      deps,
      drDrill,
      { environment: policy.drill.environment, reason: 'Monthly DR drill' },
      schedule,
      due,
    );
    return;
  }
  throw new AppError('unknown_schedule', `There is no Disaster Recovery schedule called ${schedule}.`);
}
