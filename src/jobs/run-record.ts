import type { OnBusy, PauseOption } from './run-definition.ts';

/** `paused`: waiting for a person's decision (RunPause); it holds its target but no worker. */
export type RunStatus = 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'paused' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export const activeRunStatuses: readonly RunStatus[] = ['queued', 'running', 'paused'];

export interface RunThread {
  channel: string;
  ts: string;
}

/** A run as stored: the single source of truth every worker and observer reads. */
export interface RunRecord {
  id: string;
  kind: string;
  action: string;
  input: unknown;
  requestId: string;
  requestedBy: string;
  teamId: string;
  approvalId?: string | undefined;
  idempotencyKey?: string | undefined;
  target?: string | undefined;
  onBusy: OnBusy;
  status: RunStatus;
  stepCount: number;
  currentStep: number;
  cancelRequested: boolean;
  cancelledBy?: string | undefined;
  thread?: RunThread | undefined;
  statusMessageTs?: string | undefined;
  workerId?: string | undefined;
  resumedCount: number;
  error?: string | undefined;
  summary?: string | undefined;
  createdAt: Date;
  startedAt?: Date | undefined;
  finishedAt?: Date | undefined;
}

export interface StepRecord {
  runId: string;
  index: number;
  stepId: string;
  title: string;
  status: StepStatus;
  attempt: number;
  startedAt?: Date | undefined;
  finishedAt?: Date | undefined;
  summary?: string | undefined;
  output?: unknown;
  error?: string | undefined;
  workerId?: string | undefined;
}

export interface RunWithSteps extends RunRecord {
  steps: StepRecord[];
}

export function isTerminal(status: RunStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

/** A run's request for a decision, as stored (see PauseRequest); decided once, by the first click. */
export interface RunPause {
  id: string;
  runId: string;
  stepIndex: number;
  stepId: string;
  cause: 'step' | 'failure';
  question: string;
  options: PauseOption[];
  /** The failed step's reason, for a failure pause. */
  error?: string | undefined;
  createdAt: Date;
  expiresAt: Date;
  decision?: { optionId: string; decidedBy: string; decidedAt: Date } | undefined;
  escalatedAt?: Date | undefined;
  /** What the escalation did, e.g. 'incident INC-…'. */
  escalation?: string | undefined;
}

/** What a pause asks for when it is written. */
export type NewPause = Pick<RunPause, 'cause' | 'question' | 'options' | 'error' | 'expiresAt'>;
