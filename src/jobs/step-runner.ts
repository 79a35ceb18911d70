import type { Logger } from '../logger.ts';
import type { AnyRunKind, RunDecision } from './run-definition.ts';
import { decisionFor, resolveFailure } from './run-pausing.ts';
import { notify } from './run-events.ts';
import type { RunEvent } from './run-events.ts';
import { RunFailures } from './run-failures.ts';
import type { RunPause, RunRecord, RunWithSteps, StepRecord } from './run-record.ts';
import type { CancelState } from './run-store.ts';
import { describeError } from './retry-policy.ts';
import { JobLockLostError, RunCancelledError, WorkerShutdownError } from './step-attempt.ts';
import { readInput, type StepRunnerOptions } from './step-runner-options.ts';
import { StepTries } from './step-tries.ts';

export type { StepRunnerOptions } from './step-runner-options.ts';

type Outcome =
  | { status: 'succeeded'; summary?: string }
  | { status: 'failed'; error: string }
  | { status: 'cancelled'; error: string };

const isOpen = (step: StepRecord) => step.status !== 'succeeded' && step.status !== 'skipped';

/**
 * Executes one run from its checkpoints: skips steps already done, re-runs the one a dead worker was
 * in, checkpoints each step's start and end (StepTries), and stops at the first failure or at
 * cancellation. A step's success and the next step's start are one write when nothing stands between
 * them (the next step matches the definition and has no failure decision to resolve first), so a run
 * pays one database round trip per step boundary. Store errors are not caught: the job fails and
 * BullMQ retries it, and the retry resumes from the checkpoints.
 */
export class StepRunner<Deps> {
  private readonly failures: RunFailures<Deps>;
  private readonly tries: StepTries<Deps>;

  constructor(private readonly options: StepRunnerOptions<Deps>) {
    this.failures = new RunFailures(options);
    this.tries = new StepTries(options, this.failures, (event) => this.emit(event));
  }

  /**
   * `holdsJob`, when the run came from a job: asked once the run is started, whether this delivery still
   * holds the job's lock (see below).
   */
  async execute(
    runId: string,
    requestId: string,
    signal: AbortSignal,
    holdsJob?: () => Promise<boolean>,
  ): Promise<RunRecord | undefined> {
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
    // A delivery that waited before startRun (for a pool connection, in a paused process) may have lost its
    // job meanwhile to another worker now executing the run. Taking the run back from it is harmless (that
    // worker stops at its next boundary, and the job's next delivery resumes the run); executing it here,
    // beside that worker's step in flight, is not. Asked after startRun: a delivery taking the job later
    // starts the run after this, and this worker is stopped at its next boundary.
    if (holdsJob && !(await holdsJob())) {
      logger.warn('this delivery lost its job before it started the run; executing nothing');
      throw new JobLockLostError();
    }
    const run = (await store.getRun(runId)) as RunWithSteps;
    const kind = this.options.kinds.get(run.kind);
    if (!kind)
      return this.finish(
        run,
        { status: 'failed', error: `this worker does not know runs of kind ${run.kind}` },
        logger,
        workerId,
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
        workerId,
      );
    }
    const firstOpen = run.steps.findIndex(isOpen);
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
    // What the last write told: the cancel flag (read with the run just now, then at each boundary) and
    // the step that boundary started.
    let known: { cancel: CancelState; started?: StepRecord | undefined } | undefined = {
      cancel: { requested: run.cancelRequested, by: run.cancelledBy },
    };
    for (const [index, step] of run.steps.entries()) {
      if (!isOpen(step)) {
        outputs[step.stepId] = step.output;
        if (step.summary) summaries.push(step.summary);
        continue;
      }
      if (signal.aborted && signal.reason instanceof WorkerShutdownError) throw signal.reason;
      const cancel = known?.cancel ?? (await store.cancelState(runId));
      const checkpointed = known?.started;
      known = undefined;
      if (signal.aborted || cancel.requested)
        return this.finish(
          run,
          { status: 'cancelled', error: new RunCancelledError(cancel.by).userMessage },
          logger,
          workerId,
        );
      const definition = kind.steps[index];
      if (!definition || definition.id !== step.stepId) {
        return this.finish(
          run,
          {
            status: 'failed',
            error: `step ${index + 1} (${step.stepId}) no longer matches the ${kind.kind} definition`,
          },
          logger,
          workerId,
        );
      }
      const decision = decisionFor(pause, index);
      if (decision && pause?.cause === 'failure') {
        const context = await this.failures.context(run, input, step.stepId, pause.error ?? 'failed', signal, logger);
        const resolution = await resolveFailure(kind, context, decision);
        if (resolution.then === 'fail') {
          await store.stepEnded(run.id, index, 'failed', pause.error ?? resolution.error, workerId);
          return this.finish(run, { status: 'failed', error: resolution.error }, logger, workerId);
        }
      }
      const result = await this.tries.run(run, input, index, definition, outputs, signal, logger, decision, {
        started: checkpointed,
        next: this.startsWithSuccess(kind, run, pause, index + 1),
      });
      if ('status' in result)
        return result.status === 'paused' ? store.getRun(runId) : this.finish(run, result, logger, workerId);
      outputs[step.stepId] = result.done.output;
      if (result.done.summary) summaries.push(result.done.summary);
      known = result.boundary;
    }
    return this.finish(
      run,
      { status: 'succeeded', ...(summaries.length ? { summary: summaries.join('\n') } : {}) },
      logger,
      workerId,
    );
  }

  /**
   * `index` when that step may be started in the write that records its predecessor's success: it is
   * open, still matches the definition, and has no failure decision to resolve before it starts.
   */
  private startsWithSuccess(
    kind: AnyRunKind,
    run: RunWithSteps,
    pause: RunPause | undefined,
    index: number,
  ): number | undefined {
    const step = run.steps[index];
    if (!step || !isOpen(step) || kind.steps[index]?.id !== step.stepId) return undefined;
    const decision: RunDecision | undefined = decisionFor(pause, index);
    return decision && pause?.cause === 'failure' ? undefined : index;
  }

  /** The failure reason with the kind's account of the state the run left (bounded; see RunFailures). */
  failureReport(run: RunRecord, error: string, logger: Logger): Promise<string> {
    return this.failures.report(run, error, logger);
  }

  /** Ends the run; `owner` (the worker that started it) once started, so a run taken over is not ended here. */
  private async finish(run: RunRecord, given: Outcome, logger: Logger, owner?: string): Promise<RunRecord> {
    const outcome: Outcome =
      given.status === 'failed'
        ? { status: 'failed', error: await this.failures.report(run, given.error, logger) }
        : given;
    const finished = await this.options.store.finishRun(run.id, outcome, owner);
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
