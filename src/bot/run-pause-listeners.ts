import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import { PAUSE_ACTION_PREFIX, pauseActionPattern } from '../jobs/pause-message.ts';
import { onButton } from './button-invoke.ts';
import type { BotServices } from './request-scope.ts';

/**
 * The buttons on a paused run's question: each click is the `runs decide` action on the one invocation
 * path (run-decide.ts says who may decide). The value carries the pause id, the action id the option.
 */
export function registerRunPauseListeners(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  app.action<BlockButtonAction>(
    pauseActionPattern,
    onButton(services, baseLogger, (pause, buttonId) => ({
      actionId: 'runs decide',
      input: { pause, option: buttonId.slice(PAUSE_ACTION_PREFIX.length) },
    })),
  );
}
