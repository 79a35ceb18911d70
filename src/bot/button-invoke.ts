import type { BlockButtonAction } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import type { ClickOrigin } from '../handlers/core/click-origin.ts';
import type { Invoker } from '../handlers/core/define-action.ts';
import { invoke, type InvokeOutcome } from '../handlers/core/invoke.ts';
import { errorReply } from '../handlers/core/error-reply.ts';
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

/** An action id with its structured input, or (a runbook remedy) a command run exactly as if typed. */
export type Invocation = { actionId: string; input: Record<string, unknown> } | { text: string };

/**
 * The action a button runs, from its value (which names a thing, never an instruction), its action id
 * (a paused run's `run:decide:<option>` names the option) and where it sat. It may look the value up
 * (an alert group); an AppError it throws refuses the click, audited as `button.click-refused`.
 */
export type ButtonInvocation = (
  value: string,
  buttonId: string,
  click: ClickOrigin,
) => Invocation | Promise<Invocation>;

/** Bolt's reply through the click's response_url: reaches the clicker even where they are not a member. */
export type Respond = (message: {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
  blocks?: unknown[];
}) => Promise<unknown>;

interface ButtonArgs {
  ack: () => Promise<void>;
  body: BlockButtonAction;
  action: { value?: string; block_id?: string; action_id?: string };
  context: Record<string, unknown>;
  respond?: Respond;
}

/** Where a click's outcome goes; the default tells the clicker alone, by ephemeral, in the click's channel. */
export type ButtonDelivery = (
  outcome: InvokeOutcome,
  click: { services: BotServices; body: BlockButtonAction; respond?: Respond; logger: Logger; requestId: string },
) => Promise<void>;

const toClicker: ButtonDelivery = (outcome, { services, body, logger }) =>
  tellClicker(services, body, outcome.reply.text, logger);

/**
 * The spine's entry for a button: acknowledged at once, then the button's action runs on the one
 * invocation path as the person who clicked (workspace, permission failing closed, replay, audit before
 * anything changes), with the click's origin so the action can check the button belongs to its message.
 * Refusals and notices go to the clicker alone; an empty reply means the message itself shows the outcome.
 * Any button can use it: `app.action('run:decide', onButton(services, logger, (value) => ({ actionId:
 * 'runs decide', input: { pause: value } })))`, its action reading `ctx.click` to bind the value.
 */
export function onButton(
  services: BotServices,
  baseLogger: Logger,
  invocation: ButtonInvocation,
  deliver: ButtonDelivery = toClicker,
) {
  return async ({ ack, body, action, context, respond }: ButtonArgs): Promise<void> => {
    await ack();
    const { requestId, logger } = requestScope(context, baseLogger);
    const outcome = await invokeClick(services, body, action, { requestId, logger, context }, invocation);
    await deliver(outcome, { services, body, logger, requestId, ...(respond ? { respond } : {}) });
  };
}

/** Runs a click's action through `invoke()`; database outages read as "cannot vouch for that click". */
export async function invokeClick(
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
  const click = clickOrigin(body, action.block_id ?? '');
  const value = action.value ?? '';
  const buttonId = action.action_id ?? '';
  let command: Invocation;
  try {
    command = await invocation(value, buttonId, click);
  } catch (error) {
    return refuseClick(services, { invoker, requestId: scope.requestId, logger: scope.logger }, error, {
      button: buttonId.slice(0, 80),
      value: value.slice(0, 80),
    });
  }
  return invoke(
    {
      command,
      invoker,
      requestId: scope.requestId,
      logger: scope.logger,
      replayUnverified: scope.context.replayUnverified === true,
      click,
      explainError: failClosed,
    },
    invokeDepsOf(services),
  );
}

/**
 * A click whose button names nothing it can act on (or whose value could not be looked up): audited, and
 * the clicker told why; a lookup that failed on the database reads as "cannot vouch for that click".
 */
async function refuseClick(
  services: BotServices,
  scope: { invoker: Invoker; requestId: string; logger: Logger },
  error: unknown,
  args: Record<string, unknown>,
): Promise<InvokeOutcome> {
  const { invoker, requestId, logger } = scope;
  const reply = errorReply(failClosed(error), logger);
  const outcome = reply.code === 'internal_error' ? 'error' : `rejected:${reply.code}`;
  await services.deps.audit
    .record({
      requestId,
      teamId: invoker.teamId,
      channelId: invoker.channelId,
      userId: invoker.userId,
      action: 'button.click-refused',
      arguments: args,
      outcome,
      detail: reply.text.slice(0, 200),
    })
    .catch((err: unknown) => logger.error({ err }, 'audit of a refused click failed'));
  return { reply, action: 'button.click-refused', outcome };
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
