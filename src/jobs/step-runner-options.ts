import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { AnyRunKind } from './run-definition.ts';
import type { RunObserver } from './run-events.ts';
import type { RetryPolicy } from './retry-policy.ts';
import type { RunStore } from './run-store.ts';

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
export function readInput(kind: AnyRunKind, stored: unknown): unknown {
  return kind.parseInput ? kind.parseInput(stored) : stored;
}
