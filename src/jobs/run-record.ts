import type { OnBusy } from './run-definition.ts';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export const activeRunStatuses: readonly RunStatus[] = ['queued', 'running'];

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
