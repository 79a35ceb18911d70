import { isAppError } from '../app-error.ts';
import type { ExecuteContext } from './define-action.ts';
import { section, type Reply } from './reply.ts';

/**
 * Posts the "started by" message the run's thread hangs under. If Slack cannot confirm it in time the
 * run starts anyway (the message still lands, once) and reports at the channel's top level.
 */
async function startedBy(kind: string, ctx: ExecuteContext): Promise<{ channel: string; ts: string }> {
  const { deps, invoker } = ctx;
  const message = {
    key: `run-start:${ctx.requestId}`,
    channel: invoker.channelId,
    text: `:arrow_forward: \`/eafix ${kind}\` started by <@${invoker.userId}>${ctx.breakGlass ? ' (break-glass)' : ''}`,
  };
  try {
    return await deps.notifier.post(message);
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { channel: invoker.channelId, ts: '' };
  }
}

/**
 * Starts a resumable run for a planned action. Progress goes to the approval message's thread, or to a
 * "started by" message posted now. The approval id (when there is one) makes a double start a no-op.
 */
export async function startRun(kind: string, input: Record<string, unknown>, ctx: ExecuteContext): Promise<Reply> {
  const { deps, invoker } = ctx;
  const thread = ctx.thread ?? (await startedBy(kind, ctx));
  const started = await deps.runs.start(kind, {
    input: { ...input, ...(ctx.approvalId ? { approvalId: ctx.approvalId } : {}) },
    requestId: ctx.requestId,
    requestedBy: invoker.userId,
    teamId: invoker.teamId,
    action: kind,
    approvalId: ctx.approvalId,
    thread: { channel: thread.channel, ts: thread.ts },
  });
  const where = started.waitingFor ? `waits for run \`${started.waitingFor}\` to finish, then starts` : 'started';
  const text = `:gear: Run \`${started.runId}\` ${where}; progress is in the thread. Cancel with \`/eafix cancel ${started.runId}\`.`;
  return { text, blocks: [section(text)] };
}
