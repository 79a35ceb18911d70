import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import { onButton } from './button-invoke.ts';
import { toClickerPrivately } from './button-replies.ts';
import type { BotServices } from './request-scope.ts';

/**
 * A diagnosis's remedy buttons: each carries the command the runbook prescribes (`scale risk-manager 5
 * --reason …`), run on the one invocation path as the person who clicks exactly as if typed, so its own
 * action's permission, channel restrictions, audit and approval apply (a click grants nothing the clicker
 * could not type). The outcome goes to the clicker alone.
 */
export function registerDiagnosisListeners(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  app.action<BlockButtonAction>(
    /^diagnose:remedy:\d+$/,
    onButton(services, baseLogger, (command) => ({ text: command }), toClickerPrivately),
  );
}
