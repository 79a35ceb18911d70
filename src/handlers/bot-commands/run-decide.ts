import { z } from 'zod';
import { AppError, isAppError } from '../../app-error.ts';
import { defineAction, type ActionContext } from '../core/define-action.ts';
import type { ClickOrigin } from '../core/click-origin.ts';
import { section } from '../core/reply.ts';
import { optionLabel } from '../../jobs/pause-message.ts';
import type { RunPause, RunRecord } from '../../jobs/run-record.ts';

/*
 * The buttons on a paused run's question (Retry step / Roll back / Abort; Continue / Roll back), as an
 * action on the one invocation path: workspace, replay, audit before acting and failing closed come
 * from there. Who may decide: anyone who may run the run's action (its permission, e.g. `deploy.run`),
 * the requester included; no second approval, since every option is the approved change, its inverse
 * or a stop. Its own permission is the floor anyone shown runs holds; the run's is checked here. The
 * decision's effects are the run's steps, made as the run's requester (changeMeta of the run), so the
 * clicker's permission grants no cluster rights. The first decision wins; later clicks are told who
 * decided what. Besides the spine's rows, each click's result is audited as `run.decide` (ok, denied,
 * already-decided, invalid) with the run it was about.
 */

const STALE = 'That decision button is stale or altered';

type Decided = { pause: RunPause; run: RunRecord };

function audit(ctx: ActionContext, args: Record<string, unknown>, outcome: string, detail: string) {
  const { invoker, requestId, deps } = ctx;
  return deps.audit.record({
    requestId,
    teamId: invoker.teamId,
    channelId: invoker.channelId,
    userId: invoker.userId,
    action: 'run.decide',
    arguments: args,
    outcome,
    detail,
  });
}

/** The pause and its run, only if the click came from the pause's own message in Slack. */
async function boundPause(pause: RunPause | undefined, ctx: ActionContext, args: Record<string, unknown>) {
  const run = pause && (await ctx.deps.runs.get(pause.runId));
  // Unknown pauses and runs of another workspace get the same answer.
  if (!pause || !run || run.teamId !== ctx.invoker.teamId) {
    await audit(ctx, args, 'invalid', 'no such pause');
    throw new AppError('run_pause_not_found', `${STALE} (no such paused run). Nothing was done.`);
  }
  const mismatch = await originMismatch(pause, ctx.click, ctx);
  if (mismatch === undefined) return { pause, run } satisfies Decided;
  await audit(ctx, { ...args, run: run.id }, 'invalid', mismatch.why);
  if (mismatch.pending)
    throw new AppError(
      'run_pause_message_pending',
      'This question is still being recorded, so your click could not be matched to it. Nothing was done; press the button again in a moment.',
    );
  throw new AppError('run_pause_not_bound', `${STALE} (not the question of run \`${run.id}\`). Nothing was done.`, {
    hints: ['Use the buttons on the question in the run’s thread.'],
  });
}

/** Why a click does not belong to the pause's message (the block, channel and ts it was posted as). */
async function originMismatch(pause: RunPause, click: ClickOrigin | undefined, ctx: ActionContext) {
  if (!click) return { why: 'not a click on the question' };
  if (click.kind !== 'message' || click.blockId !== `run-pause:${pause.id}`)
    return { why: `block ${click.blockId.slice(0, 80)} (${click.kind}) is not pause ${pause.id}'s` };
  const message = await ctx.deps.runs.pauseMessage(pause.id);
  if (!message) return { why: 'the question is not in Slack yet', pending: true };
  if (message.channel !== click.channel || message.ts !== click.ts)
    return { why: `message ${click.channel}/${click.ts} is not pause ${pause.id}'s question` };
  return undefined;
}

/** Refuses, with who may decide, anyone who may not run the run's action (or cannot be checked now). */
async function checkMayDecide({ run }: Decided, ctx: ActionContext, args: Record<string, unknown>) {
  const permission = ctx.deps.registry.get(run.action)?.permission;
  try {
    if (!permission) throw new AppError('permission_denied', `no action ${run.action}`);
    await ctx.deps.authorizer.authorize(ctx.invoker, permission, 'change');
  } catch (error) {
    const denied = isAppError(error) && error.code === 'permission_denied';
    const why = denied ? `needs ${permission ?? 'a known action'}` : 'could not check who may decide';
    await audit(ctx, { ...args, run: run.id }, 'denied', why);
    // Roles or channel that cannot be checked now: refused with that reason (the spine words outages).
    if (!denied) throw error;
    throw new AppError(
      'run_decide_denied',
      `Only people who may run \`${run.action}\` (permission \`${permission ?? 'unknown'}\`) can decide on run \`${run.id}\`; you may only look. Ask one of: ${permission ? ctx.deps.authorizer.holders(permission) : 'an operator'}.`,
    );
  }
}

export const runsDecide = defineAction({
  id: 'runs decide',
  kind: 'change',
  chapter: 'Bot',
  summary: "Decide on a paused run's question (its Retry / Roll back / Abort / Continue buttons)",
  positional: ['pause', 'option'],
  input: z.object({
    pause: z.string().max(64).describe('the pause id the button carries'),
    option: z.string().max(64).describe('the option the button stands for (retry, rollback, abort, …)'),
  }),
  risk: 'change',
  permission: 'runs.read',
  typed: false,
  clusterIdentity: 'requester',
  examples: ['runs decide pause_1a2b3c4d5e6f rollback'],
  run: async ({ pause: pauseId, option }, ctx) => {
    const args = { pause: pauseId, option };
    const bound = await boundPause(await ctx.deps.runs.getPause(pauseId), ctx, args);
    await checkMayDecide(bound, ctx, args);
    const { id: runId } = bound.run;
    const result = await ctx.deps.runs.decide(pauseId, option, ctx.invoker.userId);
    switch (result.outcome) {
      case 'decided': {
        await audit(ctx, { ...args, run: runId }, 'ok', optionLabel(result.pause, option));
        const text = `:ballot_box_with_check: Recorded: *${optionLabel(result.pause, option)}* for run \`${runId}\`; it resumes now.`;
        return { text, blocks: [section(text)] };
      }
      case 'already-decided': {
        const first = result.pause.decision;
        await audit(ctx, { ...args, run: runId }, 'already-decided', `decided before by ${first?.decidedBy ?? '?'}`);
        throw new AppError(
          'run_already_decided',
          `Already decided: <@${first?.decidedBy ?? '?'}> chose *${optionLabel(result.pause, first?.optionId ?? '')}* for run \`${runId}\`. Your click changed nothing.`,
        );
      }
      case 'not-waiting': {
        const now = result.runCancelled ? 'it was cancelled' : `it is ${result.runStatus ?? 'gone'}`;
        await audit(ctx, { ...args, run: runId }, 'not-waiting', now);
        throw new AppError(
          'run_not_waiting',
          `Run \`${runId}\` no longer waits for a decision (${now}). Your click changed nothing.`,
        );
      }
      default:
        await audit(ctx, { ...args, run: runId }, 'invalid', result.outcome);
        throw new AppError('run_pause_unknown_option', `${STALE} (no such option). Nothing was done.`);
    }
  },
});
