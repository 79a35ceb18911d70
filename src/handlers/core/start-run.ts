import { runStartKey } from '../../jobs/thread-progress.ts';
import type { ExecuteContext } from './define-action.ts';
import { section, type Reply } from './reply.ts';

/**
 * Starts a resumable run for a planned action. Progress goes to the approval message's thread, or to a
 * "started by" message. The approval id (when there is one) makes a double start a no-op.
 */
export async function startRun(kind: string, input: Record<string, unknown>, ctx: ExecuteContext): Promise<Reply> {
  const { deps, invoker } = ctx;
  // Without an approval thread the run hangs under a "started by" message. It is queued, not awaited:
  // Slack being slow or down neither delays the answer nor stops the run; the thread follows the post.
  let thread = ctx.thread;
  if (!thread) {
    await deps.notifier.send({
      key: runStartKey(ctx.requestId),
      channel: invoker.channelId,
      text: `:arrow_forward: \`/eafix ${kind}\` started by <@${invoker.userId}>${ctx.breakGlass ? ' (break-glass)' : ''}`,
    });
    thread = { channel: invoker.channelId, ts: '' };
  }
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
