import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { invoke, type InvokeOutcome } from '../handlers/core/invoke.ts';
import { invokeDepsOf, requestScope, type BotServices } from './request-scope.ts';
import { toSlackResponse } from './slack-response.ts';

/**
 * Past this, counted from the request's arrival, the reply goes through response_url and the ack says we
 * are on it. Counted from the listener's start instead, a busy process that took a second to verify and
 * admit the request acked its answer after Slack's 3 s: Slack dropped it and the person never saw it.
 */
const INLINE_REPLY_BUDGET_MS = 2_000;

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** `/eafix`: always acknowledged within Slack's 3 seconds, whatever the action costs. */
export function commandListener(services: BotServices, baseLogger: Logger) {
  return async ({ command, ack, respond, context }: Args): Promise<void> => {
    const { requestId, logger } = requestScope(context, baseLogger);
    const work = invoke(
      {
        command: { text: command.text },
        invoker: {
          userId: command.user_id,
          teamId: command.team_id,
          channelId: command.channel_id,
          triggerId: command.trigger_id,
        },
        requestId,
        logger,
        replayUnverified: context.replayUnverified === true,
      },
      invokeDepsOf(services),
    );
    const receivedAt = typeof context.receivedAt === 'number' ? context.receivedAt : performance.now();
    const budgetMs = Math.max(0, INLINE_REPLY_BUDGET_MS - (performance.now() - receivedAt));
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), budgetMs);
    });
    const inline: InvokeOutcome | undefined = await Promise.race([work, budget]);
    clearTimeout(timer);
    if (inline) {
      await ack(toSlackResponse(inline.reply));
    } else {
      await ack({
        response_type: 'ephemeral',
        text: `:hourglass_flowing_sand: Working on \`/eafix ${command.text}\`…`,
      });
    }
    const outcome = inline ?? (await work);
    if (!inline)
      await respond({ ...toSlackResponse(outcome.reply), replace_original: false } as Parameters<typeof respond>[0]);
    const file = outcome.reply.file;
    if (file) {
      try {
        await services.deps.notifier.upload({ channel: command.channel_id, ...file });
      } catch (err) {
        logger.warn({ err, filename: file.filename }, 'file upload failed');
        await respond({
          response_type: 'ephemeral',
          text: `:warning: I could not upload ${file.filename} here (is the bot in this channel?).`,
        });
      }
    }
  };
}
