import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import { runsDecide } from '../../src/handlers/bot-commands/run-decide.ts';
import type { ActionContext } from '../../src/handlers/core/define-action.ts';
import type { ActionDeps } from '../../src/handlers/core/action-deps.ts';
import type { ClickOrigin } from '../../src/handlers/core/click-origin.ts';
import type { RunPause } from '../../src/jobs/run-record.ts';
import { createLogger } from '../../src/logger.ts';

const pause: RunPause = {
  id: 'pause_1a2b3c4d5e6f',
  runId: 'run_1',
  stepIndex: 3,
  stepId: 'smoke',
  cause: 'failure',
  question: 'Smoke tests failed.',
  options: [
    { id: 'retry', label: 'Retry step' },
    { id: 'rollback', label: 'Roll back' },
  ],
  createdAt: new Date(0),
  expiresAt: new Date(60_000),
};
const onQuestion: ClickOrigin = { kind: 'message', channel: 'C0OPS', ts: '10.1', blockId: `run-pause:${pause.id}` };

/** The action with its dependencies faked: the question posted at `posted`, `allowed` deciding. */
function decideWith(options: {
  click?: ClickOrigin;
  posted?: { channel: string; ts: string };
  allowed?: boolean;
  /** The run's status when it no longer waits (cancelled meanwhile): the store records nothing. */
  noLongerWaiting?: string;
}) {
  const audited: Array<{ outcome: string; detail?: string | undefined }> = [];
  const decided: string[] = [];
  const deps = {
    runs: {
      getPause: async (id: string) => (id === pause.id ? pause : undefined),
      get: async (id: string) => (id === 'run_1' ? { id, action: 'deploy', teamId: 'T0OURS' } : undefined),
      pauseMessage: async () => options.posted,
      decide: async (_id: string, option: string, by: string) => {
        // A cancelled paused run is queued for a worker to close, with its cancel flag (as the store says).
        if (options.noLongerWaiting)
          return { outcome: 'not-waiting', pause, runStatus: options.noLongerWaiting, runCancelled: true };
        decided.push(`${option} by ${by}`);
        return {
          outcome: 'decided',
          pause: { ...pause, decision: { optionId: option, decidedBy: by, decidedAt: new Date(1) } },
        };
      },
    },
    registry: { get: (id: string) => (id === 'deploy' ? { permission: 'deploy.run' } : undefined) },
    authorizer: {
      authorize: async () => {
        if (options.allowed === false)
          throw new AppError('permission_denied', 'You need the `deploy.run` permission for that.');
        return { roles: ['operator'], canBreakGlass: false };
      },
      holders: () => '@ops-team',
    },
    audit: { record: async (entry: { outcome: string; detail?: string }) => void audited.push(entry) },
  } as unknown as ActionDeps;
  const ctx: ActionContext = {
    requestId: 'req_1',
    invoker: { userId: 'U0ALICE', teamId: 'T0OURS', channelId: 'C0OPS' },
    logger: createLogger({ level: 'silent' }),
    deps,
    ...(options.click ? { click: options.click } : {}),
  };
  const run = () => runsDecide.run({ pause: pause.id, option: 'rollback' }, ctx);
  return { run, audited, decided };
}

describe('runs decide: a paused run decided from its own question', () => {
  it('decides when the click came from the question as posted', async () => {
    const { run, audited, decided } = decideWith({ click: onQuestion, posted: { channel: 'C0OPS', ts: '10.1' } });
    expect((await run()).text).toContain('Recorded: *Roll back* for run `run_1`; it resumes now.');
    expect(decided).toEqual(['rollback by U0ALICE']);
    expect(audited.map((a) => a.outcome)).toEqual(['ok']);
  });

  it('says the run no longer waits when it was cancelled meanwhile, instead of "it resumes now"', async () => {
    const { run, audited } = decideWith({
      click: onQuestion,
      posted: { channel: 'C0OPS', ts: '10.1' },
      noLongerWaiting: 'queued',
    });
    await expect(run()).rejects.toMatchObject({
      code: 'run_not_waiting',
      userMessage: expect.stringContaining('no longer waits for a decision (it was cancelled)'),
    });
    expect(audited).toMatchObject([{ outcome: 'not-waiting', detail: 'it was cancelled' }]);
  });

  it('refuses a click before the question is recorded in Slack, asking to press again', async () => {
    const { run, audited, decided } = decideWith({ click: onQuestion });
    await expect(run()).rejects.toMatchObject({ code: 'run_pause_message_pending' });
    expect(decided).toEqual([]);
    expect(audited).toMatchObject([{ outcome: 'invalid', detail: 'the question is not in Slack yet' }]);
  });

  it.each([
    ['another message', { ...onQuestion, ts: '11.2' }],
    ['another pause’s block', { ...onQuestion, blockId: 'run-pause:pause_ffffffffffff' }],
    ['an ephemeral', { kind: 'ephemeral', blockId: onQuestion.blockId } as const],
    ['no click at all (typed)', undefined],
  ])('refuses a click from %s: nothing decided, audited', async (_what, click) => {
    const { run, audited, decided } = decideWith({
      ...(click ? { click } : {}),
      posted: { channel: 'C0OPS', ts: '10.1' },
    });
    await expect(run()).rejects.toMatchObject({ code: 'run_pause_not_bound' });
    expect(decided).toEqual([]);
    expect(audited.map((a) => a.outcome)).toEqual(['invalid']);
  });

  it('refuses someone who may not run the run’s action, naming who may', async () => {
    const { run, audited, decided } = decideWith({
      click: onQuestion,
      posted: { channel: 'C0OPS', ts: '10.1' },
      allowed: false,
    });
    await expect(run()).rejects.toThrow(
      /Only people who may run `deploy` .* you may only look\. Ask one of: @ops-team/,
    );
    expect(decided).toEqual([]);
    expect(audited).toMatchObject([{ outcome: 'denied', detail: 'needs deploy.run' }]);
  });
});
