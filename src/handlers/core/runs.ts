import type { AnyRunKind, CancelResult, RunListItem, RunThread, RunWithSteps } from '../../jobs/index.ts';

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
  /** Starts a run of a resumable action's kind (see runKindOf); the same approval id never starts two runs. */
  start(
    kind: AnyRunKind,
    request: StartRunRequest,
  ): Promise<{ runId: string; created: boolean; waitingFor?: string | undefined }>;
  cancel(runId: string, by: string): Promise<CancelResult>;
  list(limit: number): Promise<RunListItem[]>;
  get(runId: string): Promise<RunWithSteps | undefined>;
}
