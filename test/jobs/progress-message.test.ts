import { describe, expect, it } from 'vitest';
import { formatDuration, milestoneText, renderRunStatus } from '../../src/jobs/progress-message.ts';
import type { RunWithSteps, StepRecord } from '../../src/jobs/run-record.ts';
import { validateMessageBlocks } from '@eafix/sandbox/slack';

const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, s));
const step = (index: number, title: string, extra: Partial<StepRecord>): StepRecord => ({
  runId: 'run_1',
  index,
  stepId: `s${index}`,
  title,
  status: 'pending',
  attempt: 0,
  ...extra,
});

const run: RunWithSteps = {
  id: 'run_1',
  kind: 'rollback',
  action: 'rollback',
  input: {},
  requestId: 'req_1',
  requestedBy: 'U0ALICE',
  teamId: 'T1',
  target: 'env:production',
  onBusy: 'refuse',
  status: 'running',
  stepCount: 6,
  currentStep: 2,
  cancelRequested: false,
  resumedCount: 1,
  createdAt: at(0),
  steps: [
    step(0, 'Switch traffic', {
      status: 'succeeded',
      attempt: 1,
      startedAt: at(1),
      finishedAt: at(3),
      summary: 'selector version=blue',
    }),
    step(1, 'Scale blue up', { status: 'failed', attempt: 1, error: 'quota exceeded' }),
    step(2, 'Verify rollout', { status: 'running', attempt: 2, error: 'upstream answered HTTP 503' }),
    step(3, 'Open incident', { status: 'cancelled', error: 'cancelled by <@U0BOB>' }),
    step(4, 'Notify', { status: 'skipped' }),
    step(5, 'Close', {}),
  ],
};

describe('renderRunStatus', () => {
  it('renders every step state with its icon, duration or reason', () => {
    const view = renderRunStatus(run);
    expect(view.text).toBe('rollback run_1: running (1/6 steps done)');
    const section = (view.blocks[0] as unknown as { text: { text: string } }).text.text;
    expect(section.split('\n')).toEqual([
      ':hourglass_flowing_sand: *rollback* `run_1` — running step 3 of 6',
      ':white_check_mark: 1. Switch traffic (2.0 s) — selector version=blue',
      ':x: 2. Scale blue up — quota exceeded',
      ':hourglass_flowing_sand: 3. Verify rollout (attempt 2; last try: upstream answered HTTP 503)',
      ':no_entry_sign: 4. Open incident — cancelled by <@U0BOB>',
      ':heavy_minus_sign: 5. Notify (not run)',
      ':white_circle: 6. Close',
    ]);
    expect(JSON.stringify(view.blocks[1])).toContain('requested by <@U0ALICE> · target `env:production` · resumed 1×');
    expect(validateMessageBlocks(view.blocks)).toEqual([]);
  });

  it('stays within Block Kit limits for a long run', () => {
    const long: RunWithSteps = {
      ...run,
      steps: Array.from({ length: 120 }, (_, i) =>
        step(i, `Step ${i} ${'x'.repeat(60)}`, { status: 'succeeded', summary: 'y'.repeat(80) }),
      ),
    };
    const view = renderRunStatus(long);
    expect(view.blocks.length).toBeLessThanOrEqual(50);
    expect(validateMessageBlocks(view.blocks)).toEqual([]);
  });
});

describe('milestoneText', () => {
  it('announces final failures, resumptions and the end, not retries', () => {
    const base = { runId: 'run_1', stepIndex: 2, stepId: 's2', title: 'Verify rollout', attempt: 1 };
    expect(milestoneText({ type: 'step-failed', ...base, reason: 'HTTP 503', willRetry: true }, run)).toBeUndefined();
    expect(milestoneText({ type: 'step-failed', ...base, reason: 'rollout stuck', willRetry: false }, run)).toBe(
      ':x: Step 3 *Verify rollout* failed: rollout stuck',
    );
    expect(milestoneText({ type: 'resumed', runId: 'run_1', workerId: 'w2', stepIndex: 2 }, run)).toBe(
      ':arrows_counterclockwise: *rollback* `run_1` resumed on another worker (`w2`) at step 3 *Verify rollout*',
    );
    expect(
      milestoneText({ type: 'run-finished', runId: 'run_1', status: 'cancelled', error: 'cancelled by <@U0BOB>' }, run),
    ).toBe(':no_entry_sign: *rollback* `run_1` cancelled: cancelled by <@U0BOB>');
    expect(milestoneText({ type: 'step-started', ...base }, run)).toBeUndefined();
  });

  it('formats durations for people', () => {
    expect([formatDuration(420), formatDuration(2_340), formatDuration(125_000)]).toEqual([
      '420 ms',
      '2.3 s',
      '2 min 5 s',
    ]);
  });
});
