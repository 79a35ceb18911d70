import { AppError, isAppError } from '../../app-error.ts';
import { isTerminal } from '../../jobs/run-record.ts';
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
    // Named by the tick and its schedule: the backup this tick took, whichever replica and however often
    // delivered, and never the name of a backup someone takes by hand in the same second.
    const name = `${backupNameAt(due)}-${schedule === 'full-backup' ? 'full' : 'hourly'}`;
    const skipped = (why: string) =>
      deps.notifier.send({
        key: `schedule-${schedule}-${due.getTime()}:skipped`,
        channel: deps.channels.ops,
        text: `:warning: Scheduled backup ${name} (${schedule}) skipped: ${why}`,
      });
    // A backup taken while a deploy, rollback or database rollback changes the environment would not be a
    // clean one, yet it would become the newest good backup (the one a database rollback is offered).
    const changing = (await deps.runs.list(100)).find(
      (run) => run.target === `env:${environment}` && !isTerminal(run.status),
    );
    if (changing) {
      await skipped(
        `run ${changing.id} (\`${changing.action}\`) is changing ${environment}, and a backup taken meanwhile would not be a clean one.`,
      );
      return;
    }
    try {
      await startScheduledRun(
        deps,
        backupCreate,
        {
          environment,
          name,
          reason: schedule === 'full-backup' ? 'Daily full backup' : 'Hourly backup during trading hours',
        },
        schedule,
        due,
      );
    } catch (error) {
      if (!isAppError(error) || error.code !== 'target_busy') throw error;
      // The previous backup of the environment is still being taken: this tick is skipped, and says so.
      await skipped(error.userMessage);
      throw error;
    }
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
