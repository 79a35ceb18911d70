import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { RunStore } from './run-store.ts';
import { RunPauseRequested } from './run-definition.ts';
import type { AnyRunKind, RunDecision, StepFailureContext, StepResult } from './run-definition.ts';
import { completedSteps, decisionFor, failurePauseRequest, resolveFailure, writePause } from './run-pausing.ts';
import { notify } from './run-events.ts';
import type { RunEvent, RunObserver } from './run-events.ts';
import type { RunRecord, RunWithSteps } from './run-record.ts';
import { backoffDelay, describeError, isRetryable, mayRetry } from './retry-policy.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { RunCancelledError, WorkerShutdownError, attemptStep, rejectOnAbort } from './step-attempt.ts';

export interface StepRunnerOptions<Deps> {
  store: RunStore;
  kinds: ReadonlyMap<string, AnyRunKind>;
  deps: Deps;
  observer?: RunObserver | undefined;
  logger: Logger;
  workerId: string;
  retry: RetryPolicy;
  defaultStepTimeoutMs: number;
  /** Bound on a failed run's `describeFailure` (default 15 s). */
  failureReportTimeoutMs?: number;
  /** Called (after the commit) with a run that was just handed the target a finished run released. */
  onTargetHandedOver: (runId: string) => Promise<void>;
  /** Step timeouts, retry budgets and backoffs run on it (tests move their own). */
  clock?: Clock;
}

/** The stored input as the kind's steps expect it (its `parseInput`, e.g. the action's own schema). */
function readInput(kind: AnyRunKind, stored: unknown): unknown {
  return kind.parseInput ? kind.parseInput(stored) : stored;
}

type Outcome =
  | { status: 'succeeded'; summary?: string }
  | { status: 'failed'; error: string }
  | { status: 'cancelled'; error: string };

/**
 * Executes one run from its checkpoints: skips steps already done, re-runs the one a dead worker was
 * in, checkpoints each step's start and end, retries upstream failures with backoff and stops at
 * the first other failure or at cancellation. Store errors are not caught: the job fails and BullMQ
 * retries it, and the retry resumes from the checkpoints.
 */
export class StepRunner<Deps> {
  private readonly clock: Clock;

  constructor(private readonly options: StepRunnerOptions<Deps>) {
    this.clock = options.clock ?? systemClock;
  }

  async execute(runId: string, requestId: string, signal: AbortSignal): Promise<RunRecord | undefined> {
    const { store, workerId } = this.options;
    const logger = this.options.logger.child({ runId, requestId, workerId });
    const before = await store.getRun(runId);
    if (!before) {
      logger.warn('run not found; dropping its job');
      return undefined;
    }
    if (before.status === 'queued' && before.cancelRequested)
      return this.finish(
        before,
        { status: 'cancelled', error: new RunCancelledError(before.cancelledBy).userMessage },
        logger,
      );
    // A paused run waits for a decision without a worker; deciding queues it again.
    if (before.status !== 'queued' && before.status !== 'running') return before;
    if (before.target !== undefined && !(await store.mayStart(runId))) {
      logger.warn({ target: before.target }, 'run does not hold its target yet; it is enqueued when handed the target');
      return before;
    }
    const started = await store.startRun(runId, workerId);
    if (!started) return store.getRun(runId);
    const run = (await store.getRun(runId)) as RunWithSteps;
    const kind = this.options.kinds.get(run.kind);
    if (!kind)
      return this.finish(
        run,
        { status: 'failed', error: `this worker does not know runs of kind ${run.kind}` },
        logger,
      );
    let input: unknown;
    try {
      input = readInput(kind, run.input);
    } catch (error) {
      return this.finish(
        run,
        {
          status: 'failed',
          error: `its stored input no longer fits \`${run.kind}\`: ${describeError(error) ?? 'invalid'}`,
        },
        logger,
      );
    }
    const firstOpen = run.steps.findIndex((s) => s.status !== 'succeeded' && s.status !== 'skipped');
    if (started.resumed) {
      logger.info({ previousWorker: started.previousWorker, stepIndex: firstOpen }, 'run resumed');
      await this.emit({
        type: 'resumed',
        runId,
        workerId,
        previousWorker: started.previousWorker,
        stepIndex: firstOpen === -1 ? run.steps.length : firstOpen,
      });
    }
    const outputs: Record<string, unknown> = {};
    const summaries: string[] = [];
    // The decision that queued the run again applies to the step that paused (and to a re-run after a crash).
    const pause = await store.latestPause(runId);
    for (const [index, step] of run.steps.entries()) {
      if (step.status === 'succeeded' || step.status === 'skipped') {
        outputs[step.stepId] = step.output;
        if (step.summary) summaries.push(step.summary);
        continue;
      }
      if (signal.aborted && signal.reason instanceof WorkerShutdownError) throw signal.reason;
      const cancel = await store.cancelState(runId);
      if (signal.aborted || cancel.requested)
        return this.finish(run, { status: 'cancelled', error: new RunCancelledError(cancel.by).userMessage }, logger);
      const definition = kind.steps[index];
      if (!definition || definition.id !== step.stepId) {
        return this.finish(
          run,
          {
            status: 'failed',
            error: `step ${index + 1} (${step.stepId}) no longer matches the ${kind.kind} definition`,
          },
          logger,
        );
      }
      const decision = decisionFor(pause, index);
      if (decision && pause?.cause === 'failure') {
        const context = await this.failureContext(run, input, step.stepId, pause.error ?? 'failed', signal, logger);
        const resolution = await resolveFailure(kind, context, decision);
        if (resolution.then === 'fail') {
          await store.stepEnded(run.id, index, 'failed', pause.error ?? resolution.error);
          return this.finish(run, { status: 'failed', error: resolution.error }, logger);
        }
      }
      const result = await this.runStep(run, input, index, definition, outputs, signal, logger, decision);
      if ('status' in result)
        return result.status === 'paused' ? store.getRun(runId) : this.finish(run, result, logger);
      outputs[step.stepId] = result.output;
      if (result.summary) summaries.push(result.summary);
    }
    return this.finish(
      run,
      { status: 'succeeded', ...(summaries.length ? { summary: summaries.join('\n') } : {}) },
      logger,
    );
  }

  /** Tries a step until it succeeds, fails for good, or the run is cancelled. */
  private async runStep(
    run: RunWithSteps,
    input: unknown,
    index: number,
    definition: AnyRunKind['steps'][number],
    outputs: Record<string, unknown>,
    signal: AbortSignal,
    runLogger: Logger,
    decision: RunDecision | undefined,
  ): Promise<StepResult | Exclude<Outcome, { status: 'succeeded' }> | { status: 'paused' }> {
    const { store, workerId, retry } = this.options;
    const base = { runId: run.id, stepIndex: index, stepId: definition.id, title: definition.title };
    let firstFailureAt: number | undefined;
    for (;;) {
      const started = await store.stepStarted(run.id, index, workerId);
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
        const done = await store.stepSucceeded(run.id, index, result);
        const now = this.clock.now().getTime();
        const durationMs = (done.finishedAt?.getTime() ?? now) - (started.startedAt?.getTime() ?? now);
        await this.emit({ type: 'step-finished', ...base, durationMs, summary: result.summary });
        return result;
      } catch (error) {
        failure = error;
      }
      if (failure instanceof WorkerShutdownError) throw failure;
      if (failure instanceof RunCancelledError) {
        await store.stepEnded(run.id, index, 'cancelled', failure.userMessage);
        return { status: 'cancelled', error: failure.userMessage };
      }
      if (failure instanceof RunPauseRequested) {
        const paused = await writePause(store, this.clock, run.id, index, failure.request, 'step');
        if (paused) await this.emit({ type: 'paused', ...base, pauseId: paused.id });
        return { status: 'paused' };
      }
      const reason = this.reasonFor(failure, logger);
      const failedAt = this.clock.now().getTime();
      firstFailureAt ??= failedAt;
      const willRetry = isRetryable(failure) && mayRetry(retry, started.attempt, firstFailureAt, failedAt);
      if (!willRetry) {
        const kind = this.options.kinds.get(run.kind) as AnyRunKind;
        const context = await this.failureContext(run, input, definition.id, reason, signal, logger);
        const request = await failurePauseRequest(kind, context, logger);
        const paused = request && (await writePause(store, this.clock, run.id, index, request, 'failure', reason));
        if (paused) {
          await this.emit({ type: 'step-failed', ...base, reason, attempt: started.attempt, willRetry });
          await this.emit({ type: 'paused', ...base, pauseId: paused.id });
          return { status: 'paused' };
        }
        await store.stepEnded(run.id, index, 'failed', reason);
        await this.emit({ type: 'step-failed', ...base, reason, attempt: started.attempt, willRetry });
        return { status: 'failed', error: `${definition.title}: ${reason}` };
      }
      await store.stepAttemptFailed(run.id, index, reason);
      await this.emit({ type: 'step-failed', ...base, reason, attempt: started.attempt, willRetry });
      const delay = backoffDelay(retry, started.attempt, failure);
      logger.info({ err: failure, delayMs: Math.round(delay) }, 'step failed upstream; retrying');
      try {
        await this.clock.sleep(delay, signal);
      } catch {
        if (signal.reason instanceof WorkerShutdownError) throw signal.reason;
        const reasonText = describeError(signal.reason) ?? 'cancelled';
        await store.stepEnded(run.id, index, 'cancelled', reasonText);
        return { status: 'cancelled', error: reasonText };
      }
    }
  }

  /** What a kind's failure hooks see; the completed steps as of now, read back from the store. */
  private async failureContext(
    run: RunWithSteps,
    input: unknown,
    stepId: string,
    error: string,
    signal: AbortSignal,
    logger: Logger,
  ): Promise<StepFailureContext<unknown, unknown>> {
    const now = await this.options.store.getRun(run.id);
    return {
      runId: run.id,
      input,
      deps: this.options.deps,
      completedSteps: completedSteps(now ?? run),
      signal,
      logger,
      stepId,
      error,
    };
  }

  private reasonFor(error: unknown, logger: Logger): string {
    const reason = describeError(error);
    if (reason !== undefined) {
      logger.info({ err: error }, 'step failed');
      return reason;
    }
    const ref = randomBytes(3).toString('hex');
    logger.error({ err: error, ref }, 'step failed unexpectedly');
    return `something went wrong (ref ${ref})`;
  }

  /**
   * The failure reason with the kind's account of what state the run left things in and what to do
   * next. Bounded: a report must not hang on the upstream that made the run fail.
   */
  async failureReport(run: RunRecord, error: string, logger: Logger): Promise<string> {
    const kind = this.options.kinds.get(run.kind);
    const describe = kind?.describeFailure;
    if (!kind || !describe) return error;
    const signal = AbortSignal.timeout(this.options.failureReportTimeoutMs ?? 15_000);
    try {
      const steps = (await this.options.store.getRun(run.id))?.steps ?? [];
      const completedSteps = new Set(steps.filter((s) => s.status === 'succeeded').map((s) => s.stepId));
      const described = describe({
        runId: run.id,
        input: readInput(kind, run.input),
        deps: this.options.deps,
        completedSteps,
        signal,
        logger,
      });
      described.catch(() => undefined);
      const note = await Promise.race([described, rejectOnAbort(signal)]);
      return note ? `${error}\n${note}` : error;
    } catch (err) {
      logger.warn({ err }, 'could not describe the state the failed run left');
      return error;
    }
  }

  private async finish(run: RunRecord, given: Outcome, logger: Logger): Promise<RunRecord> {
    const outcome: Outcome =
      given.status === 'failed'
        ? { status: 'failed', error: await this.failureReport(run, given.error, logger) }
        : given;
    const finished = await this.options.store.finishRun(run.id, outcome);
    if (!finished.finished) return finished.run;
    logger.info({ status: outcome.status }, 'run finished');
    if (finished.next) await this.options.onTargetHandedOver(finished.next);
    await this.emit({
      type: 'run-finished',
      runId: run.id,
      status: outcome.status,
      summary: outcome.status === 'succeeded' ? outcome.summary : undefined,
      error: outcome.status === 'succeeded' ? undefined : outcome.error,
    });
    return finished.run;
  }

  private emit(event: RunEvent): Promise<void> {
    return notify(this.options.observer, event, this.options.logger);
  }
}
