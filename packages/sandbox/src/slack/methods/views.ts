import { SlackApiError } from '../api-error.ts';
import { findViewBy, openModal, publishHome, pushModal, replaceView } from '../view-store.ts';
import type { MethodContext, MethodHandler } from './context.ts';
import { jsonArg, required, str } from './context.ts';

/** A trigger_id is single-use and valid for a few seconds (3 s on Slack). Returns the user it was issued for. */
function exchangeTrigger({ state, args, triggerTtlMs }: MethodContext): string {
  const id = str(args, 'trigger_id') ?? str(args, 'interactivity_pointer');
  if (!id)
    throw new SlackApiError('invalid_arguments', {
      response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] },
    });
  const trigger = state.triggers.get(id);
  if (!trigger) throw new SlackApiError('invalid_trigger_id');
  if (trigger.used) throw new SlackApiError('exchanged_trigger_id');
  if (state.now() - trigger.issuedAt > triggerTtlMs) throw new SlackApiError('expired_trigger_id');
  trigger.used = true;
  return trigger.user;
}

const open: MethodHandler = (ctx) => {
  const raw = jsonArg(ctx.args, 'view');
  const user = exchangeTrigger(ctx);
  return { view: openModal(ctx.state, user, raw).view };
};

const push: MethodHandler = (ctx) => {
  const raw = jsonArg(ctx.args, 'view');
  const user = exchangeTrigger(ctx);
  return { view: pushModal(ctx.state, user, raw).view };
};

const update: MethodHandler = ({ state, args }) => {
  const raw = jsonArg(args, 'view');
  const view = findViewBy(state, str(args, 'view_id'), str(args, 'external_id'));
  if (!view) throw new SlackApiError('not_found');
  const hash = str(args, 'hash');
  if (hash !== undefined && hash !== view.hash) throw new SlackApiError('hash_conflict');
  return { view: replaceView(state, view, raw).view };
};

const publish: MethodHandler = ({ state, args }) => {
  const userId = required(args, 'user_id', 'user_not_found');
  if (!state.users.has(userId)) throw new SlackApiError('user_not_found');
  const raw = jsonArg(args, 'view');
  return { view: publishHome(state, userId, raw, str(args, 'hash')).view };
};

export const viewMethods: Record<string, MethodHandler> = {
  'views.open': open,
  'views.push': push,
  'views.update': update,
  'views.publish': publish,
};
