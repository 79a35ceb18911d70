import { AppError } from '../app-error.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { StepContext, StepDefinition, StepResult } from './run-definition.ts';

export class StepTimeoutError extends AppError {
  constructor(title: string, timeoutMs: number) {
    super('step_timeout', `${title} did not finish within ${formatMs(timeoutMs)}`);
  }
}

export class RunCancelledError extends AppError {
  constructor(by?: string) {
    super('run_cancelled', by ? `cancelled by <@${by}>` : 'cancelled');
  }
}

/** The worker is shutting down: the step is abandoned, not failed, and resumes on another worker. */
export class WorkerShutdownError extends Error {
  constructor() {
    super('worker shutting down');
    this.name = 'WorkerShutdownError';
  }
}

/**
 * Redis says this worker no longer holds the run's job lock (it expired, as across a failover): the job may
 * be handed to another worker, so this execution stops, its step abandoned as in a shutdown, and whoever
 * takes the job resumes the run from its checkpoints.
 */
export class JobLockLostError extends WorkerShutdownError {
  constructor() {
    super();
    this.name = 'JobLockLostError';
    this.message = "the run's job lock was lost in Redis; the job is taken over";
  }
}

/**
 * Another worker started the run since this execution did (it took the job over): this execution stops at
 * the boundary it reached, and its writes there are refused, so it never records or starts a step again.
 */
export class RunTakenOverError extends WorkerShutdownError {
  constructor(runId: string) {
    super();
    this.name = 'RunTakenOverError';
    this.message = `run ${runId} is no longer this worker's: another worker took it over, or it was ended`;
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

export function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * One try of one step, bounded by its timeout and by the run's signal (cancellation, shutdown).
 * A step that ignores its signal is abandoned rather than awaited: the run moves on, and the step is
 * idempotent, so whatever it still does is harmless.
 */
export async function attemptStep<Deps>(
  step: StepDefinition<Deps>,
  context: Omit<StepContext<Deps>, 'signal'>,
  runSignal: AbortSignal,
  timeoutMs: number,
  clock: Clock = systemClock,
): Promise<StepResult> {
  const controller = new AbortController();
  const onRunAbort = (): void => controller.abort(runSignal.reason);
  if (runSignal.aborted) throw runSignal.reason;
  runSignal.addEventListener('abort', onRunAbort, { once: true });
  const timer = new AbortController();
  clock.sleep(timeoutMs, timer.signal).then(
    () => controller.abort(new StepTimeoutError(step.title, timeoutMs)),
    () => undefined,
  );
  try {
    const running = Promise.resolve().then(() => step.run({ ...context, signal: controller.signal }));
    // An abandoned step may still reject later; that must not become an unhandled rejection.
    running.catch(() => undefined);
    const result = await Promise.race([running, rejectOnAbort(controller.signal)]);
    return result ?? {};
  } catch (error) {
    // A step that reacts to the abort throws its own AbortError; report why we aborted instead.
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    timer.abort();
    runSignal.removeEventListener('abort', onRunAbort);
  }
}
