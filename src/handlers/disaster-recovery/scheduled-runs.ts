/**
 * A schedule tick (backups, daily backup verification, monthly drill) starting its action's run: audited
 * first, then a "started" message in the ops channel the run's thread hangs under. The tick's key is the run's
 * idempotency key, so a redelivered job or a second replica finds the run instead of starting another.
 */
import { isAppError } from '../../app-error.ts';
import { runStartKey } from '../../jobs/thread-progress.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import type { AnyResumableAction } from '../core/define-action.ts';
import { runKindOf } from '../core/start-run.ts';

/** Who scheduled runs are requested by (no person: the policy's schedule). */
export const SCHEDULE_REQUESTER = 'eafix-schedule';

export async function startScheduledRun(
  deps: ActionDeps,
  action: AnyResumableAction,
  input: Record<string, unknown>,
  schedule: string,
  due: Date,
): Promise<{ runId: string; created: boolean }> {
  const key = `schedule-${schedule}-${due.getTime()}`;
  const channel = deps.channels.ops;
  // Audited before anything starts, as a person's command is: no audit row, no run. A redelivered tick
  // audits again (same request id, the run's key) and finds the run it started.
  const audit = (outcome: string, detail: string) =>
    deps.audit.record({
      requestId: key,
      userId: SCHEDULE_REQUESTER,
      channelId: channel,
      action: action.id,
      arguments: input,
      outcome,
      detail,
    });
  await audit('started', `scheduled ${schedule}, due ${due.toISOString()}`);
  let started: { runId: string; created: boolean };
  try {
    await deps.notifier.send({
      key: runStartKey(key),
      channel,
      text: `:calendar: Scheduled \`/eafix ${action.id}\` (${schedule}, due ${due.toISOString()}) started`,
    });
    started = await deps.runs.start(runKindOf(action), {
      input: action.input.parse(input),
      requestId: key,
      requestedBy: SCHEDULE_REQUESTER,
      teamId: '',
      action: action.id,
      idempotencyKey: key,
      thread: { channel, ts: '' },
    });
  } catch (error) {
    // Each 'started' row is closed, as a command's is: a refused tick is not a run.
    const outcome = isAppError(error) ? `rejected:${error.code}` : 'error';
    await audit(outcome, error instanceof Error ? error.message : String(error)).catch(() => undefined);
    throw error;
  }
  await audit('ok', `run ${started.runId}${started.created ? '' : ' (started by an earlier delivery of this tick)'}`);
  return started;
}
