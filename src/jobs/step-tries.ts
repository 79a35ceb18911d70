import { systemClock, type Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { RunPauseRequested } from './run-definition.ts';
import type { AnyRunKind, RunDecision, StepResult } from './run-definition.ts';
import { failurePauseRequest, writePause } from './run-pausing.ts';
import type { RunEvent } from './run-events.ts';
import type { RunFailures } from './run-failures.ts';
import type { RunWithSteps, StepRecord } from './run-record.ts';
import type { SteppedOn } from './run-store.ts';
import { backoffDelay, describeError, isRetryable, mayRetry } from './retry-policy.ts';
import { RunCancelledError, WorkerShutdownError, attemptStep } from './step-attempt.ts';
import type { StepRunnerOptions } from './step-runner-options.ts';

/** The run's state as one step leaves it, when it did not succeed. */
export type StepStop =
  { status: 'failed'; error: string } | { status: 'cancelled'; error: string } | { status: 'paused' };

/** A step that succeeded, and the boundary written with it when the next step was started at once. */
export interface StepDone {
  done: StepResult;
  boundary?: SteppedOn;
}

/** Where a step stands as the runner hands it over: maybe started already, maybe to start the next with it. */
export interface StepBoundary {
  /** The step's first attempt, already checkpointed by the previous step's boundary. */
  started?: StepRecord | undefined;
  /** The next step's index, to start in the write that records this one's success. */
  next?: number | undefined;
}

/**
 * One step's tries: checkpoints each attempt's start and end, retries upstream failures with backoff,
 * and stops at the first other failure, a pause or cancellation. Every checkpoint is written before
 * its event is emitted.
 */
export class StepTries<Deps> {
  private readonly clock: Clock;

  constructor(
    private readonly options: StepRunnerOptions<Deps>,
    private readonly failures: RunFailures<Deps>,
    private readonly emit: (event: RunEvent) => Promise<void>,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async run(
    run: RunWithSteps,
    input: unknown,
    index: number,
    definition: AnyRunKind['steps'][number],
    outputs: Record<string, unknown>,
    signal: AbortSignal,
    runLogger: Logger,
    decision: RunDecision | undefined,
    boundary: StepBoundary,
  ): Promise<StepDone | StepStop> {
    const { store, workerId, retry } = this.options;
    const base = { runId: run.id, stepIndex: index, stepId: definition.id, title: definition.title };
    let firstFailureAt: number | undefined;
    let checkpointed = boundary.started;
    for (;;) {
      const started = checkpointed ?? (await store.stepStarted(run.id, index, workerId));
      checkpointed = undefined;
      const logger = runLogger.child({ step: definition.id, attempt: started.attempt });
      await this.emit({ type: 'step-started', ...base, attempt: started.attempt });
      let failure: unknown;
      try {
        const result = await attemptStep(
          definition,
          {
            runId: run.id,
            input,
            requestId: run.requestId,
            requestedBy: run.requestedBy,
            approvalId: run.approvalId,
            deps: this.options.deps,
            attempt: started.attempt,
            logger,
            outputs: { ...outputs },
            decision,
          },
          signal,
          definition.timeoutMs ?? this.options.defaultStepTimeoutMs,
          this.clock,
        );
        // An aborted run starts nothing more: the runner ends it (or, on shutdown, leaves it to resume).
        const stepped =
          boundary.next !== undefined && !signal.aborted
            ? await store.stepSucceededThenStart(run.id, index, result, { index: boundary.next, workerId })
            : undefined;
        const done = stepped?.done ?? (await store.stepSucceeded(run.id, index, result, workerId));
        const now = this.clock.now().getTime();
        const durationMs = (done.finishedAt?.getTime() ?? now) - (started.startedAt?.getTime() ?? now);
        await this.emit({ type: 'step-finished', ...base, durationMs, summary: result.summary });
        return { done: result, ...(stepped ? { boundary: stepped } : {}) };
      } catch (error) {
        failure = error;
      }
      if (failure instanceof WorkerShutdownError) throw failure;
      if (failure instanceof RunCancelledError) {
        await store.stepEnded(run.id, index, 'cancelled', failure.userMessage, workerId);
        return { status: 'cancelled', error: failure.userMessage };
      }
      if (failure instanceof RunPauseRequested) {
        const paused = await writePause(store, this.clock, run.id, index, failure.request, 'step', undefined, workerId);
        if (paused) {
          await this.emit({ type: 'paused', ...base, pauseId: paused.id });
          return { status: 'paused' };
        }
        const cancelled = await this.cancelledInstead(run.id, index, 'cancelled', undefined);
        return cancelled ?? { status: 'paused' };
      }
      const reason = this.failures.reasonFor(failure, logger);
      const failedAt = this.clock.now().getTime();
      firstFailureAt ??= failedAt;
      const willRetry = isRetryable(failure) && mayRetry(retry, started.attempt, firstFailureAt, failedAt);
      if (!willRetry) {
        const kind = this.options.kinds.get(run.kind) as AnyRunKind;
        const context = await this.failures.context(run, input, definition.id, reason, signal, logger);
        const request = await failurePauseRequest(kind, context, logger);
        const paused =
          request && (await writePause(store, this.clock, run.id, index, request, 'failure', reason, workerId));
        if (paused) {
          await this.emit({ type: 'step-failed', ...base, reason, attempt: started.attempt, willRetry });
          await this.emit({ type: 'paused', ...base, pauseId: paused.id });
          return { status: 'paused' };
        }
        const cancelled = request ? await this.cancelledInstead(run.id, index, 'failed', reason) : undefined;
        if (cancelled) {
          await this.emit({ type: 'step-failed', ...base, reason, attempt: started.attempt, willRetry });
          return cancelled;
        }
        await store.stepEnded(run.id, index, 'failed', reason, workerId);
        await this.emit({ type: 'step-failed', ...base, reason, attempt: started.attempt, willRetry });
        return { status: 'failed', error: `${definition.title}: ${reason}` };
      }
      await store.stepAttemptFailed(run.id, index, reason, workerId);
      await this.emit({ type: 'step-failed', ...base, reason, attempt: started.attempt, willRetry });
      const delay = backoffDelay(retry, started.attempt, failure);
      logger.info({ err: failure, delayMs: Math.round(delay) }, 'step failed upstream; retrying');
      try {
        await this.clock.sleep(delay, signal);
      } catch {
        if (signal.reason instanceof WorkerShutdownError) throw signal.reason;
        const reasonText = describeError(signal.reason) ?? 'cancelled';
        await store.stepEnded(run.id, index, 'cancelled', reasonText, workerId);
        return { status: 'cancelled', error: reasonText };
      }
    }
  }

  /**
   * A pause the store refused because a cancel was requested first (it raced the step's end): the step ends
   * (`status`, with the failure's reason when it failed) and so does the run, as cancelled, instead of
   * waiting for a decision while it holds its target. Undefined when no cancel was requested (the run
   * is no longer this worker's: the caller goes on as before).
   */
  private async cancelledInstead(
    runId: string,
    index: number,
    status: 'failed' | 'cancelled',
    reason: string | undefined,
  ): Promise<StepStop | undefined> {
    const { store, workerId } = this.options;
    const cancel = await store.cancelState(runId);
    if (!cancel.requested) return undefined;
    const error = new RunCancelledError(cancel.by).userMessage;
    await store.stepEnded(runId, index, status, reason ?? error, workerId);
    return { status: 'cancelled', error };
  }
}
