import type { Logger } from '../logger.ts';

/** What a step sees. Slack-, BullMQ- and Kubernetes-agnostic: adapters arrive through `deps`. */
export interface StepContext<Deps> {
  runId: string;
  input: unknown;
  requestId: string;
  requestedBy: string;
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

export interface StepDefinition<Deps> {
  id: string;
  title: string;
  /** Must be idempotent: may run again after a crash. */
  run(ctx: StepContext<Deps>): Promise<StepResult | void>;
  timeoutMs?: number;
}

export type OnBusy = 'queue' | 'refuse';

/** What a failed run's kind is told, to say what state the run left the world in. */
export interface FailureContext<Deps> {
  runId: string;
  input: unknown;
  deps: Deps;
  /** Ids of the steps that completed before the run stopped. */
  completedSteps: ReadonlySet<string>;
  /** Bounds the look at the world: a failure report must not hang on the upstream that failed. */
  signal: AbortSignal;
  logger: Logger;
}

export interface RunKind<Deps> {
  /** e.g. 'rollback' */
  kind: string;
  steps: StepDefinition<Deps>[];
  /**
   * What this run changes, for one-change-per-target: e.g. 'env:production' or
   * 'service:production/risk-manager'; undefined = read-only.
   */
  target?: (input: unknown) => string | undefined;
  /** When the target is busy: wait in line, or refuse with a link to the running run. Default 'refuse'. */
  onBusy?: OnBusy;
  /**
   * When the run fails: the state it left things in and the next command to run, appended to the
   * failure reply. Read from the world where possible; undefined adds nothing.
   */
  describeFailure?: (context: FailureContext<Deps>) => Promise<string | undefined>;
}

/** Identity function that keeps `Deps` inferred. */
export function defineRunKind<Deps>(kind: RunKind<Deps>): RunKind<Deps> {
  return kind;
}

// A worker holds kinds of one Deps type; this alias is for registries that mix them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRunKind = RunKind<any>;
