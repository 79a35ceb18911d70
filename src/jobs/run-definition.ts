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
}

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
   * When the run fails: the state it left things in and the next command to run, appended to the
   * failure reply. Read from the world where possible; undefined adds nothing.
   */
  describeFailure?: (context: FailureContext<Deps, Input>) => Promise<string | undefined>;
}

/** Identity function that keeps `Deps` and `Input` inferred. */
export function defineRunKind<Deps, Input = unknown>(kind: RunKind<Deps, Input>): RunKind<Deps, Input> {
  return kind;
}

// A worker holds kinds of one Deps type but many inputs; each kind's steps only see input its own
// `parseInput` read.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRunKind = RunKind<any, any>;
