import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import { onButton } from './button-invoke.ts';
import { toClickerPrivately } from './button-replies.ts';
import type { BotServices } from './request-scope.ts';

/**
 * "Sign off" on a break-glass use: the `approvals signoff` action on the one invocation path, which
 * refuses (and audits) a click not bound to the use and plan the reviewer was shown. The outcome goes to
 * the reviewer alone, beside the review answer the button sat on.
 */
export function registerBreakGlassListeners(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  app.action<BlockButtonAction>(
    'breakglass:signoff',
    onButton(services, baseLogger, (use) => ({ actionId: 'approvals signoff', input: { use } }), toClickerPrivately),
  );
}
