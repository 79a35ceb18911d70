import type { OnBusy } from './run-definition.ts';
import type { RunRecord, RunStatus, RunWithSteps } from './run-record.ts';

export interface RunListItem extends RunRecord {
  stepsDone: number;
}

export interface ListRunsOptions {
  limit: number;
  /** One status or several; all runs when omitted. */
  status?: RunStatus | RunStatus[];
}

/** Read side of the run store: what `/eafix runs` and progress renderers need (PgRunQueries). */
export interface RunQueries {
  getRun(id: string): Promise<RunWithSteps | undefined>;
  /** The run an approval started, if any (an approval starts at most one: its id is the run's idempotency key). */
  runForApproval(approvalId: string): Promise<RunRecord | undefined>;
  /** Newest first; running and queued runs first when no status is given, so they are never cut off. */
  listRuns(options: ListRunsOptions): Promise<RunListItem[]>;
  /**
   * Throws what creating a run on `target` / `covers` would throw now (AppError `target_busy`): asked
   * before a request goes to two people. Reads only; creation checks again.
   */
  refuseIfBusy(target: string | undefined, covers: string | undefined, onBusy: OnBusy): Promise<void>;
}
