import type { Logger } from '../logger.ts';

/** What a step sees. Slack-, BullMQ- and Kubernetes-agnostic: adapters arrive through `deps`. */
export interface StepContext<Deps, Input = unknown> {
  runId: string;
  /** The run's input, re-read through the kind's `parseInput` when it has one. */
  input: Input;
  requestId: string;
  requestedBy: string;
  /** The approval the run executes, when a second person approved it. */
  approvalId?: string | undefined;
  deps: Deps;
  /** Aborted when the run is cancelled or the step times out; long waits should honour it. */
  signal: AbortSignal;
  /** 1 on the first try; counts retries and resumptions after a crash. */
  attempt: number;
  logger: Logger;
  /** Outputs of earlier steps, by step id. */
  outputs: Record<string, unknown>;
  /**
   * The decision a person took on the pause this step raised (or on its failure pause, when that was
   * "retry"), set when the step runs again after it; undefined otherwise. Stays set for a re-run after
   * a crash, so the step must act on it idempotently.
   */
  decision?: RunDecision | undefined;
}

/**
 * Pausing a run for a decision. A step pauses by throwing `pauseRun({...})`; a failed step pauses when
 * its kind's `onStepFailed` returns a request. The engine writes the pause (run and step `paused`,
 * question, options, expiry) before anything is posted, then lets go of the worker: a paused run holds
 * its target but no BullMQ job. The first decision wins and is stored with who took it; the run is
 * queued again and resumes: a step pause re-runs the step with `ctx.decision`, a failure pause asks
 * the kind's `resolveFailure`. An undecided pause past its expiry escalates (RunPauseSweeper) and
 * stays paused: a person can still decide.
 */
export interface PauseOption {
  /** Stable id the step or kind reads back from `decision.optionId`, e.g. 'retry'. */
  id: string;
  /** The button's label, e.g. 'Retry step'. */
  label: string;
  style?: 'primary' | 'danger' | undefined;
}

export interface PauseRequest {
  /** What the people in the thread are asked (mrkdwn): what happened, the state things are in. */
  question: string;
  options: readonly PauseOption[];
  /** Undecided for this long, the pause escalates (the run stays paused). */
  expiresInMs: number;
}

export interface RunDecision {
  pauseId: string;
  optionId: string;
  decidedBy: string;
  decidedAt: Date;
}

/** Thrown by a step to pause its run; see `PauseRequest`. */
export class RunPauseRequested extends Error {
  constructor(readonly request: PauseRequest) {
    super(`paused: ${request.question}`);
    this.name = 'RunPauseRequested';
  }
}

/** `throw pauseRun({...})` in a step: the run pauses with this question. */
export function pauseRun(request: PauseRequest): RunPauseRequested {
  return new RunPauseRequested(request);
}

/** What a kind is told when one of its steps failed for good, to decide whether to pause. */
export interface StepFailureContext<Deps, Input = unknown> extends FailureContext<Deps, Input> {
  stepId: string;
  error: string;
}

/** What a decision on a failure pause does: run the step again, or end the run failed with `error`. */
export type FailureResolution = { then: 'retry' } | { then: 'fail'; error: string };

export interface StepResult {
  summary?: string;
  /** Stored as JSON; later steps read it from `ctx.outputs`. */
  output?: unknown;
}

export interface StepDefinition<Deps, Input = unknown> {
  id: string;
  title: string;
  /** Must be idempotent: may run again after a crash. */
  run(ctx: StepContext<Deps, Input>): Promise<StepResult | void>;
  timeoutMs?: number;
}

export type OnBusy = 'queue' | 'refuse';

/** What a failed run's kind is told, to say what state the run left the world in. */
export interface FailureContext<Deps, Input = unknown> {
  runId: string;
  requestId: string;
  requestedBy: string;
  approvalId?: string | undefined;
  input: Input;
  deps: Deps;
  /** Ids of the steps that completed before the run stopped. */
  completedSteps: ReadonlySet<string>;
  /** Bounds the look at the world: a failure report must not hang on the upstream that failed. */
  signal: AbortSignal;
  logger: Logger;
}

export interface RunKind<Deps, Input = unknown> {
  /** e.g. 'rollback' */
  kind: string;
  steps: readonly StepDefinition<Deps, Input>[];
  /**
   * Reads the stored (JSON) input back as the steps' typed input, e.g. with the action's zod schema;
   * throws when it no longer fits. Without it the steps get the stored value as it is.
   */
  parseInput?: (stored: unknown) => Input;
  /**
   * What this run changes, for one-change-per-target: e.g. 'env:production' or
   * 'service:production/risk-manager'; undefined = read-only.
   */
  target?: (input: Input) => string | undefined;
  /** When the target is busy: wait in line, or refuse with a link to the running run. Default 'refuse'. */
  onBusy?: OnBusy;
  /**
   * Every target under this prefix, changed at once besides `target` (a database rollback stops every
   * service of its environment: 'service:production/'). A run on a target under it is refused while this
   * run is active, and this run while one is (target-lock.ts `refuseCoverOverlap`).
   */
  covers?: (input: Input) => string | undefined;
  /**
   * When the run fails: the state it left things in and the next command to run, appended to the
   * failure reply. Read from the world where possible; undefined adds nothing.
   */
  describeFailure?: (context: FailureContext<Deps, Input>) => Promise<string | undefined>;
  /** A step failed for good: a pause request turns the failure into a question; undefined fails the run. */
  onStepFailed?: (context: StepFailureContext<Deps, Input>) => Promise<PauseRequest | undefined>;
  /**
   * Acts on the decision taken on a failure pause (e.g. rolls back) and says what follows. Idempotent:
   * runs again when a worker dies in it. Without it, 'retry' retries and any other option fails the run.
   */
  resolveFailure?: (context: StepFailureContext<Deps, Input> & { decision: RunDecision }) => Promise<FailureResolution>;
}

/** Identity function that keeps `Deps` and `Input` inferred. */
export function defineRunKind<Deps, Input = unknown>(kind: RunKind<Deps, Input>): RunKind<Deps, Input> {
  return kind;
}

// A worker holds kinds of one Deps type but many inputs; each kind's steps only see input its own
// `parseInput` read.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRunKind = RunKind<any, any>;
