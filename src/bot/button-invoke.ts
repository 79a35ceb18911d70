import type { BlockButtonAction } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import type { ClickOrigin } from '../handlers/core/click-origin.ts';
import type { Invoker } from '../handlers/core/define-action.ts';
import { invoke, type InvokeOutcome } from '../handlers/core/invoke.ts';
import { failClosed } from './fail-closed.ts';
import { invokeDepsOf, requestScope, type BotServices } from './request-scope.ts';

/** Where the click came from, as Slack says (container, view, block), for binding it to what it shows. */
export function clickOrigin(body: BlockButtonAction, blockId: string): ClickOrigin {
  const container = body.container as {
    type?: string;
    channel_id?: string;
    message_ts?: string;
    is_ephemeral?: boolean;
  };
  if (container.type === 'view') {
    const view = body.view as { type?: string; blocks?: Array<{ block_id?: string }> } | undefined;
    return {
      kind: 'view',
      viewType: view?.type ?? '',
      viewBlockIds: (view?.blocks ?? []).map((b) => b.block_id ?? ''),
      blockId,
    };
  }
  if (container.is_ephemeral) return { kind: 'ephemeral', blockId };
  return { kind: 'message', channel: container.channel_id ?? '', ts: container.message_ts ?? '', blockId };
}

/**
 * The action a button runs, from its value (which names a thing, never an instruction) and its action id
 * (a paused run's `run:decide:<option>` names the option).
 */
export type ButtonInvocation = (
  value: string,
  buttonId: string,
) => { actionId: string; input: Record<string, unknown> };

interface ButtonArgs {
  ack: () => Promise<void>;
  body: BlockButtonAction;
  action: { value?: string; block_id?: string; action_id?: string };
  context: Record<string, unknown>;
}

/**
 * The spine's entry for a button: acknowledged at once, then the button's action runs on the one
 * invocation path as the person who clicked (workspace, permission failing closed, replay, audit before
 * anything changes), with the click's origin so the action can check the button belongs to its message.
 * Refusals and notices go to the clicker alone; an empty reply means the message itself shows the outcome.
 * Any button can use it: `app.action('run:decide', onButton(services, logger, (value) => ({ actionId:
 * 'runs decide', input: { pause: value } })))`, its action reading `ctx.click` to bind the value.
 */
export function onButton(services: BotServices, baseLogger: Logger, invocation: ButtonInvocation) {
  return async ({ ack, body, action, context }: ButtonArgs): Promise<void> => {
    await ack();
    const { requestId, logger } = requestScope(context, baseLogger);
    const outcome = await invokeClick(services, body, action, { requestId, logger, context }, invocation);
    await tellClicker(services, body, outcome.reply.text, logger);
  };
}

/** Runs a click's action through `invoke()`; database outages read as "cannot vouch for that click". */
export function invokeClick(
  services: BotServices,
  body: BlockButtonAction,
  action: { value?: string; block_id?: string; action_id?: string },
  scope: {
    requestId: string;
    logger: Logger;
    context: Record<string, unknown>;
    /** Where the action acts and tells, for a click that has no channel (the App Home): the ops channel. */
    channelId?: string;
  },
  invocation: ButtonInvocation,
): Promise<InvokeOutcome> {
  const container = body.container as { channel_id?: string };
  const invoker: Invoker = {
    userId: body.user.id,
    teamId: body.team?.id ?? body.user.team_id ?? '',
    channelId: scope.channelId ?? body.channel?.id ?? container.channel_id ?? '',
    ...(body.trigger_id ? { triggerId: body.trigger_id } : {}),
  };
  return invoke(
    {
      command: invocation(action.value ?? '', action.action_id ?? ''),
      invoker,
      requestId: scope.requestId,
      logger: scope.logger,
      replayUnverified: scope.context.replayUnverified === true,
      click: clickOrigin(body, action.block_id ?? ''),
      explainError: failClosed,
    },
    invokeDepsOf(services),
  );
}

/** An ephemeral to the clicker in the channel of the click (App Home clicks have none: the view shows it). */
async function tellClicker(services: BotServices, body: BlockButtonAction, text: string, logger: Logger) {
  if (!text || !body.channel) return;
  try {
    await services.deps.notifier.ephemeral({ channel: body.channel.id, user: body.user.id, text });
  } catch (err) {
    logger.warn({ err }, 'could not tell the clicker the outcome');
  }
}
