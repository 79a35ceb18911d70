/** A `config change` staging run as the run store returns it: the fixture the config fast tests share. */
import type { RunWithSteps, StepRecord } from '../../src/jobs/index.ts';

export function stagingStep(
  runId: string,
  stepId: string,
  status: StepRecord['status'] = 'succeeded',
  summary?: string,
): StepRecord {
  return { runId, index: 0, stepId, title: `the ${stepId} step`, status, attempt: 1, summary };
}

/** Running, at its last step (asking for production), with the staging steps given. */
export function stagingRunRecord(
  runId: string,
  input: Record<string, unknown>,
  steps: StepRecord[],
  overrides: Partial<RunWithSteps> = {},
): RunWithSteps {
  return {
    id: runId,
    kind: 'config change',
    action: 'config change',
    input,
    requestId: 'req',
    requestedBy: 'U0ALICE',
    teamId: 'T1',
    onBusy: 'refuse',
    status: 'running',
    stepCount: 5,
    currentStep: 4,
    cancelRequested: false,
    resumedCount: 0,
    createdAt: new Date(0),
    steps,
    ...overrides,
  };
}
