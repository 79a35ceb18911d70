import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import { dispatchCommand, type CommandOutcome } from './dispatch-command.ts';
import { newRequestId } from './slack-http-receiver.ts';
import { toSlackResponse } from './slack-response.ts';

/** Past this, the reply goes through response_url and the ack says we are on it. */
const INLINE_REPLY_BUDGET_MS = 2_000;

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** `/eafix`: always acknowledged within Slack's 3 seconds, whatever the action costs. */
export function commandListener(deps: ActionDeps, baseLogger: Logger) {
  return async ({ command, ack, respond, context }: Args): Promise<void> => {
    const requestId = (context.requestId as string | undefined) ?? newRequestId();
    const logger = (context.requestLogger as Logger | undefined) ?? baseLogger.child({ requestId });
    const work = dispatchCommand(
      {
        text: command.text,
        invoker: { userId: command.user_id, teamId: command.team_id, channelId: command.channel_id, triggerId: command.trigger_id },
        requestId,
        logger,
        replayUnverified: context.replayUnverified === true,
      },
      deps,
    );
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), INLINE_REPLY_BUDGET_MS);
    });
    const inline: CommandOutcome | undefined = await Promise.race([work, budget]);
    clearTimeout(timer);
    if (inline) {
      await ack(toSlackResponse(inline.reply));
    } else {
      await ack({ response_type: 'ephemeral', text: `:hourglass_flowing_sand: Working on \`/eafix ${command.text}\`…` });
    }
    const outcome = inline ?? (await work);
    if (!inline) await respond({ ...toSlackResponse(outcome.reply), replace_original: false } as Parameters<typeof respond>[0]);
    const file = outcome.reply.file;
    if (file) {
      try {
        await deps.notifier.upload({ channel: command.channel_id, ...file });
      } catch (err) {
        logger.warn({ err, filename: file.filename }, 'file upload failed');
        await respond({ response_type: 'ephemeral', text: `:warning: I could not upload ${file.filename} here (is the bot in this channel?).` });
      }
    }
  };
}
