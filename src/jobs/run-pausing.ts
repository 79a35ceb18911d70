/**
 * The engine's side of pausing a run for a decision (see PauseRequest in run-definition.ts): writing a
 * pause, and on resumption finding the decision that applies to a step and what a failure pause's
 * decision does. Kept apart from StepRunner so the runner stays a loop over checkpoints.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { AnyRunKind, FailureResolution, PauseRequest, RunDecision, StepFailureContext } from './run-definition.ts';
import type { RunPause, RunWithSteps } from './run-record.ts';
import type { RunStore } from './run-store.ts';

/** The decision on the run's latest pause, when that pause was raised at step `index` and is decided. */
export function decisionFor(pause: RunPause | undefined, index: number): RunDecision | undefined {
  if (!pause?.decision || pause.stepIndex !== index) return undefined;
  return { pauseId: pause.id, ...pause.decision };
}

/**
 * Writes the pause (run and step `paused`); undefined when the run was no longer running, or (given the
 * executing worker as `owner`) no longer that worker's.
 */
export function writePause(
  store: RunStore,
  clock: Clock,
  runId: string,
  index: number,
  request: PauseRequest,
  cause: RunPause['cause'],
  error?: string,
  owner?: string,
): Promise<RunPause | undefined> {
  return store.pauseRun(
    runId,
    index,
    {
      cause,
      question: request.question,
      options: request.options.map(({ id, label, style }) => ({ id, label, ...(style ? { style } : {}) })),
      error,
      expiresAt: new Date(clock.now().getTime() + request.expiresInMs),
    },
    owner,
  );
}

/** The completed steps' ids, as a kind's failure hooks see them. */
export function completedSteps(run: RunWithSteps): ReadonlySet<string> {
  return new Set(run.steps.filter((s) => s.status === 'succeeded').map((s) => s.stepId));
}

/** Asks the kind whether a step's final failure pauses the run; a hook that throws fails the run. */
export async function failurePauseRequest(
  kind: AnyRunKind,
  context: StepFailureContext<unknown, unknown>,
  logger: Logger,
): Promise<PauseRequest | undefined> {
  if (!kind.onStepFailed) return undefined;
  try {
    return await kind.onStepFailed(context);
  } catch (err) {
    logger.warn({ err }, 'could not ask whether the failure pauses the run; failing it');
    return undefined;
  }
}

/** What a decision on a failure pause does: the kind's resolution, or retry / fail by the option id. */
export async function resolveFailure(
  kind: AnyRunKind,
  context: StepFailureContext<unknown, unknown>,
  decision: RunDecision,
): Promise<FailureResolution> {
  if (kind.resolveFailure) return kind.resolveFailure({ ...context, decision });
  if (decision.optionId === 'retry') return { then: 'retry' };
  return { then: 'fail', error: `${context.error} (${decision.optionId}, decided by <@${decision.decidedBy}>)` };
}
