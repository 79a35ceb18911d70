import { runStartKey } from '../../jobs/thread-progress.ts';
import type { AnyRunKind, RunKind } from '../../jobs/run-definition.ts';
import type { ActionDeps } from './action-deps.ts';
import {
  isResumable,
  type AnyAction,
  type AnyPlannedAction,
  type ExecuteContext,
  type ResumableAction,
} from './define-action.ts';
import { section, type Reply } from './reply.ts';
import type { PlanItem } from '../../permissions/approval-types.ts';

const kinds = new WeakMap<ResumableAction<unknown>, RunKind<ActionDeps, unknown>>();

/**
 * A resumable action as the job engine runs it: named by the action id, its steps, and its own schema
 * to re-read the stored input, so a worker executes exactly what the action declares.
 */
export function runKindOf<Input>(action: ResumableAction<Input>): RunKind<ActionDeps, Input> {
  const known = kinds.get(action as ResumableAction<unknown>);
  if (known) return known as RunKind<ActionDeps, Input>;
  const kind: RunKind<ActionDeps, Input> = {
    kind: action.id,
    steps: action.steps,
    parseInput: (stored) => action.input.parse(stored),
    onBusy: action.onBusy ?? 'refuse',
    ...(action.target ? { target: action.target } : {}),
    ...(action.covers ? { covers: action.covers } : {}),
    ...(action.describeFailure ? { describeFailure: action.describeFailure } : {}),
    ...(action.onStepFailed ? { onStepFailed: action.onStepFailed } : {}),
    ...(action.resolveFailure ? { resolveFailure: action.resolveFailure } : {}),
  };
  kinds.set(action as ResumableAction<unknown>, kind as RunKind<ActionDeps, unknown>);
  return kind;
}

/** Every run kind a worker executes: one per resumable action of the registry. */
export function runKindsOf(actions: readonly AnyAction[]): AnyRunKind[] {
  return actions.filter(isResumable).map((action) => runKindOf(action));
}

/**
 * Refuses now (AppError `target_busy`) a planned action whose run would overlap a covering run (a
 * database rollback or failover and a service change). Asked before a request goes to two people, so
 * nobody approves what cannot run; the run's start checks again.
 */
export async function refuseIfBusy(
  action: AnyPlannedAction,
  input: Record<string, unknown>,
  plan: PlanItem[],
  deps: ActionDeps,
) {
  if (!isResumable(action)) return;
  await deps.runs.refuseIfBusy(runKindOf(action), action.runInput ? action.runInput(input, plan) : input);
}

/** Makes a planned action's (just recomputed) plan happen: at once, or as a resumable run. */
export function executePlanned(
  action: AnyPlannedAction,
  input: Record<string, unknown>,
  ctx: ExecuteContext,
): Promise<Reply> {
  if (!isResumable(action)) return action.execute(input, ctx);
  return startRun(action, action.runInput ? action.runInput(input, ctx.plan) : input, ctx);
}

/**
 * Starts a resumable run for a planned action. Progress goes to the approval message's thread, or to a
 * "started by" message. The approval id (when there is one) makes a double start a no-op.
 */
async function startRun<Input>(action: ResumableAction<Input>, input: Input, ctx: ExecuteContext): Promise<Reply> {
  const { deps, invoker } = ctx;
  // Without an approval thread the run hangs under a "started by" message. It is queued, not awaited:
  // Slack being slow or down neither delays the answer nor stops the run; the thread follows the post.
  let thread = ctx.thread;
  if (!thread) {
    await deps.notifier.send({
      key: runStartKey(ctx.requestId),
      channel: invoker.channelId,
      text: `:arrow_forward: \`/eafix ${action.id}\` started by <@${invoker.userId}>${ctx.breakGlass ? ' (break-glass)' : ''}`,
    });
    thread = { channel: invoker.channelId, ts: '' };
  }
  const started = await deps.runs.start(
    runKindOf(action),
    {
      input,
      requestId: ctx.requestId,
      requestedBy: invoker.userId,
      teamId: invoker.teamId,
      action: action.id,
      approvalId: ctx.approvalId,
      thread: { channel: thread.channel, ts: thread.ts },
    },
    ctx.recordApprovalWith,
  );
  const where = started.waitingFor ? `waits for run \`${started.waitingFor}\` to finish, then starts` : 'started';
  const text = `:gear: Run \`${started.runId}\` ${where}; progress is in the thread. Cancel with \`/eafix cancel ${started.runId}\`.`;
  // In an approval thread the run's status message is the answer (it names the run and how to cancel it);
  // a run that waits for another says so in a reply, since its status message only shows "queued".
  const shownInThread = ctx.thread !== undefined && !started.waitingFor;
  return { text, blocks: [section(text)], ...(shownInThread ? { shownInThread } : {}) };
}
