import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { StepFailureContext } from './run-definition.ts';
import { completedSteps } from './run-pausing.ts';
import type { RunRecord, RunWithSteps } from './run-record.ts';
import { describeError } from './retry-policy.ts';
import { rejectOnAbort } from './step-attempt.ts';
import { readInput, type StepRunnerOptions } from './step-runner-options.ts';

/**
 * What the engine says about a failure: the reason a step failed (a reference for unexpected errors),
 * what a kind's failure hooks see, and the final report with the kind's account of the state left.
 */
export class RunFailures<Deps> {
  constructor(private readonly options: StepRunnerOptions<Deps>) {}

  /** What a kind's failure hooks see; the completed steps as of now, read back from the store. */
  async context(
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
      requestId: run.requestId,
      requestedBy: run.requestedBy,
      approvalId: run.approvalId,
      input,
      deps: this.options.deps,
      completedSteps: completedSteps(now ?? run),
      signal,
      logger,
      stepId,
      error,
    };
  }

  reasonFor(error: unknown, logger: Logger): string {
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
  async report(run: RunRecord, error: string, logger: Logger): Promise<string> {
    const kind = this.options.kinds.get(run.kind);
    const describe = kind?.describeFailure;
    if (!kind || !describe) return error;
    const signal = AbortSignal.timeout(this.options.failureReportTimeoutMs ?? 15_000);
    try {
      const steps = (await this.options.store.getRun(run.id))?.steps ?? [];
      const completedSteps = new Set(steps.filter((s) => s.status === 'succeeded').map((s) => s.stepId));
      const described = describe({
        runId: run.id,
        requestId: run.requestId,
        requestedBy: run.requestedBy,
        approvalId: run.approvalId,
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
}
