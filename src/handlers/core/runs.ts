import type { AnyRunKind, CancelResult, RunListItem, RunThread, RunWithSteps } from '../../jobs/index.ts';
import type { DecideResult } from '../../jobs/run-decisions.ts';
import type { RunPause, RunRecord } from '../../jobs/run-record.ts';
import type { RecordAuditWith } from '../../audit/audit-log.ts';

export interface StartRunRequest {
  input: unknown;
  requestId: string;
  requestedBy: string;
  teamId: string;
  action: string;
  approvalId?: string | undefined;
  /** The same key (default: the approval id) never starts two runs. */
  idempotencyKey?: string | undefined;
  /** Where progress goes; none for runs that report elsewhere (a war room announces itself). */
  thread?: RunThread | undefined;
}

/** Long operations as resumable runs, as handlers see them (the BullMQ side lives in src/jobs/). */
export interface Runs {
  /**
   * Starts a run of a resumable action's kind (see runKindOf); the same approval id never starts two runs.
   * `recordWith` puts held audit rows (the approval's) in the transaction that creates the run.
   */
  start(
    kind: AnyRunKind,
    request: StartRunRequest,
    recordWith?: RecordAuditWith,
  ): Promise<{ runId: string; created: boolean; waitingFor?: string | undefined }>;
  /**
   * Throws (AppError `target_busy`) when a run of this kind with this input would overlap a covering run
   * now (or cover a run under way): a request is refused before two people approve it. Starting checks
   * again, and also refuses a target another run still holds.
   */
  refuseIfBusy(kind: AnyRunKind, input: unknown): Promise<void>;
  cancel(runId: string, by: string): Promise<CancelResult>;
  list(limit: number): Promise<RunListItem[]>;
  get(runId: string): Promise<RunWithSteps | undefined>;
  /** The run an approval started, if any. */
  forApproval(approvalId: string): Promise<RunRecord | undefined>;
  /** The run's latest pause (a paused run's question, or the last decision taken). */
  latestPause(runId: string): Promise<RunPause | undefined>;
  getPause(pauseId: string): Promise<RunPause | undefined>;
  /** Where the pause's question (with its buttons) is in Slack; undefined until Slack has it. */
  pauseMessage(pauseId: string): Promise<{ channel: string; ts: string } | undefined>;
  /** Records the first decision on a pause and resumes the run; the caller checks who may decide. */
  decide(pauseId: string, optionId: string, by: string): Promise<DecideResult>;
}
