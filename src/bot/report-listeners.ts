import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { AppError } from '../app-error.ts';
import { checklistItems, type ChecklistItemId } from '../handlers/security/checklist-items.ts';
import { CHECKLIST_INCIDENT_ACTION, checklistIncident } from '../handlers/security/daily-checklist.ts';
import { onButton } from './button-invoke.ts';
import { toClickerPrivately } from './button-replies.ts';
import type { BotServices } from './request-scope.ts';

const isItem = (value: string): value is ChecklistItemId => Object.hasOwn(checklistItems, value);

/**
 * The daily security checklist's "Open security incident" buttons: `incident create` on the one
 * invocation path as the person who clicks (permission failing closed, replay, audit), exactly as if they
 * had typed it. A value that names no checklist item (an altered button) is refused and audited.
 */
export function registerReportListeners(app: App, services: BotServices, baseLogger: Logger): void {
  const pattern = new RegExp(`^${CHECKLIST_INCIDENT_ACTION}:\\d+$`);
  app.action<BlockButtonAction>(
    pattern,
    onButton(
      services,
      baseLogger,
      (item, _buttonId, click) => {
        if (!isItem(item))
          throw new AppError(
            'checklist_button_altered',
            'That checklist button names no checklist item. Nothing was done.',
          );
        const shownIn = click.kind === 'message' ? ` (message ${click.ts})` : '';
        return {
          actionId: 'incident create',
          input: {
            ...checklistIncident(item, false),
            description: `Opened from the daily security checklist${shownIn}.`,
          },
        };
      },
      toClickerPrivately,
    ),
  );
}
