import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import { AppError } from '../app-error.ts';
import { checklistItems, type ChecklistItemId } from '../handlers/security/checklist-items.ts';
import { CHECKLIST_INCIDENT_ACTION, checklistIncident } from '../handlers/security/daily-checklist.ts';
import type { ClickOrigin } from '../handlers/core/click-origin.ts';
import { onButton, type Invocation } from './button-invoke.ts';
import { toClickerPrivately } from './button-replies.ts';
import type { BotServices } from './request-scope.ts';

const isItem = (value: string): value is ChecklistItemId => Object.hasOwn(checklistItems, value);

/**
 * The daily security checklist's "Open security incident" buttons: `incident create` on the one
 * invocation path as the person who clicks (permission failing closed, replay, audit), exactly as if they
 * had typed it. The button stays on the message, so a press while the item's incident is still open (the
 * automatic one for a critical item, or one opened by an earlier press) opens nothing new: the clicker is
 * pointed to it. A value that names no checklist item (an altered button) is refused; both are audited.
 */
export function registerReportListeners(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  const pattern = new RegExp(`^${CHECKLIST_INCIDENT_ACTION}:\\d+$`);
  const openIncidentTitled = async (title: string) =>
    (await services.deps.incidents.deps.store.listOpen(1_000)).find((incident) => incident.title === title);
  const invocation = async (item: string, _buttonId: string, click: ClickOrigin): Promise<Invocation> => {
    if (!isItem(item))
      throw new AppError(
        'checklist_button_altered',
        'That checklist button names no checklist item. Nothing was done.',
      );
    const incident = checklistIncident(item, false);
    const open = await openIncidentTitled(incident.title);
    if (open)
      throw new AppError(
        'checklist_incident_open',
        `${open.id} is already open for this${open.channelId ? ` (<#${open.channelId}>)` : ''}. Nothing new was opened.`,
      );
    const shownIn = click.kind === 'message' ? ` (message ${click.ts})` : '';
    return {
      actionId: 'incident create',
      input: { ...incident, description: `Opened from the daily security checklist${shownIn}.` },
    };
  };
  app.action<BlockButtonAction>(pattern, onButton(services, baseLogger, invocation, toClickerPrivately));
}
