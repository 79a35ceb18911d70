import { AppError } from '../../app-error.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { backupVerify } from './backup-verify.ts';
import { drDrill } from './dr-drill.ts';
import { startScheduledRun } from './scheduled-runs.ts';

/** A tick of a policy schedule (`disasterRecovery.verification`, `.drill`): start its run, once per tick. */
export async function onDrScheduleTick(deps: ActionDeps, schedule: string, due: Date): Promise<void> {
  const policy = deps.dr.policy;
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
