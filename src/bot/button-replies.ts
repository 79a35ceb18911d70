import type { ButtonDelivery } from './button-invoke.ts';

/**
 * The reply to the clicker alone, blocks included, through the click's response_url: it reaches them
 * whether or not they are a member of the channel. Without one (a click Bolt gave no `respond`), an
 * ephemeral in the click's channel.
 */
export const toClickerPrivately: ButtonDelivery = async ({ reply }, { services, body, respond, logger }) => {
  if (!reply.text) return;
  const content = { text: reply.text, ...(reply.blocks ? { blocks: reply.blocks } : {}) };
  try {
    if (respond) await respond({ response_type: 'ephemeral', replace_original: false, ...content });
    else if (body.channel)
      await services.deps.notifier.ephemeral({ channel: body.channel.id, user: body.user.id, ...content });
  } catch (err) {
    logger.warn({ err }, 'could not tell the clicker the outcome');
  }
};

/** A reply the action means for the channel (`in_channel`) is posted there when it succeeded; the rest privately. */
export const toChannelOrClicker: ButtonDelivery = async (outcome, click) => {
  const { reply } = outcome;
  const channel = click.body.channel?.id;
  if (outcome.outcome !== 'ok' || reply.visibility !== 'in_channel' || !channel)
    return toClickerPrivately(outcome, click);
  try {
    await click.services.deps.notifier.post({
      channel,
      text: reply.text,
      ...(reply.blocks ? { blocks: reply.blocks } : {}),
    });
  } catch (err) {
    click.logger.warn({ err }, 'could not post the outcome in the channel');
  }
};
