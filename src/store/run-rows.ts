import type { OnBusy } from '../jobs/run-definition.ts';
import type { RunRecord, RunStatus, StepRecord, StepStatus } from '../jobs/run-record.ts';

/** The `runs` and `run_steps` rows as PostgreSQL returns them, and their records. */
export interface RunRow {
  id: string;
  kind: string;
  action: string;
  input: unknown;
  request_id: string;
  requested_by: string;
  team_id: string;
  approval_id: string | null;
  idempotency_key: string | null;
  target: string | null;
  on_busy: OnBusy;
  status: RunStatus;
  step_count: number;
  current_step: number;
  cancel_requested: boolean;
  cancelled_by: string | null;
  thread_channel: string | null;
  thread_ts: string | null;
  status_message_ts: string | null;
  worker_id: string | null;
  resumed_count: number;
  error: string | null;
  summary: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface StepRow {
  run_id: string;
  step_index: number;
  step_id: string;
  title: string;
  status: StepStatus;
  attempt: number;
  started_at: Date | null;
  finished_at: Date | null;
  summary: string | null;
  output: unknown;
  error: string | null;
  worker_id: string | null;
}

export function runFromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    kind: row.kind,
    action: row.action,
    input: row.input,
    requestId: row.request_id,
    requestedBy: row.requested_by,
    teamId: row.team_id,
    approvalId: row.approval_id ?? undefined,
    idempotencyKey: row.idempotency_key ?? undefined,
    target: row.target ?? undefined,
    onBusy: row.on_busy,
    status: row.status,
    stepCount: row.step_count,
    currentStep: row.current_step,
    cancelRequested: row.cancel_requested,
    cancelledBy: row.cancelled_by ?? undefined,
    // An empty ts: the thread parent is a "started by" message still in the Slack outbox.
    thread: row.thread_channel ? { channel: row.thread_channel, ts: row.thread_ts ?? '' } : undefined,
    statusMessageTs: row.status_message_ts ?? undefined,
    workerId: row.worker_id ?? undefined,
    resumedCount: row.resumed_count,
    error: row.error ?? undefined,
    summary: row.summary ?? undefined,
    createdAt: row.created_at,
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
  };
}

export function stepFromRow(row: StepRow): StepRecord {
  return {
    runId: row.run_id,
    index: row.step_index,
    stepId: row.step_id,
    title: row.title,
    status: row.status,
    attempt: row.attempt,
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
    summary: row.summary ?? undefined,
    output: row.output ?? undefined,
    error: row.error ?? undefined,
    workerId: row.worker_id ?? undefined,
  };
}
