/**
 * A step that would end after its window's end does not just start: the run pauses and asks the thread
 * "Continue" or "Stop and restore service" (the run engine's pause primitive). Stopping turns
 * maintenance mode off again when the window turned it on, then ends the run saying where it stopped.
 */
import { AppError } from '../../app-error.ts';
import { pauseRun, type PauseRequest } from '../../jobs/run-definition.ts';
import type { ActionStep } from '../core/define-action.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import type { WindowRunInput } from './window-input.ts';

type Ctx = Parameters<ActionStep<WindowRunInput>['run']>[0];

export const CONTINUE = 'continue';
export const STOP = 'stop-restore';
const MIN_ASK_MS = 15 * 60_000;

/** What the stop's failure says when it turned maintenance mode off again (read back by the failure note). */
export const SERVICE_RESTORED = 'service restored (maintenance mode off)';

const hhmm = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;

/** The question when `title` (expected to take `estimateMs`) would end after the window; undefined when it fits. */
export function overrunQuestion(ctx: Ctx, title: string, estimateMs: number): PauseRequest | undefined {
  const now = ctx.deps.now();
  const end = new Date(ctx.input.endsAt);
  const finish = new Date(now.getTime() + estimateMs);
  if (finish <= end) return undefined;
  return {
    question: `:hourglass: *${title}* usually takes ${Math.round(estimateMs / 60_000)} min: it would end at ${hhmm(finish)}, after the ${ctx.input.window} window closes at ${hhmm(end)}. Continue past the window, or stop here and restore service?`,
    options: [
      { id: CONTINUE, label: 'Continue', style: 'primary' },
      { id: STOP, label: 'Stop and restore service', style: 'danger' },
    ],
    // Asked until the window's end at least; undecided after that it escalates (and still waits).
    expiresInMs: Math.max(end.getTime() - now.getTime(), MIN_ASK_MS),
  };
}

/** Runs before a step: passes when it fits or someone chose Continue, pauses, or stops and restores. */
export async function checkOverrun(
  ctx: Ctx,
  title: string,
  estimateMs: number,
  turnsMaintenanceOn: boolean,
): Promise<void> {
  const choice = ctx.decision?.optionId;
  if (choice === CONTINUE) return;
  if (choice === STOP) {
    const restored = turnsMaintenanceOn && 'maintenance-on' in ctx.outputs;
    if (restored)
      await runPlatformCommand(ctx, {
        environment: ctx.input.environment,
        step: 'restore-service',
        args: ['maintenance', 'disable'],
        reason: `${ctx.input.window} maintenance window stopped before it overran`,
      });
    throw new AppError(
      'window_stopped',
      `Stopped before *${title}* by <@${ctx.decision?.decidedBy ?? 'unknown'}> rather than overrun the ${ctx.input.window} window${restored ? `; ${SERVICE_RESTORED}` : ''}. The remaining steps did not run.`,
    );
  }
  const question = overrunQuestion(ctx, title, estimateMs);
  if (question) throw pauseRun(question);
}
