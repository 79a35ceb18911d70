import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import { invoke } from '../handlers/core/invoke.ts';
import { checklistItems, type ChecklistItemId } from '../handlers/security/checklist-items.ts';
import { CHECKLIST_INCIDENT_ACTION, checklistIncident } from '../handlers/security/daily-checklist.ts';
import { invokeDepsOf, requestScope, type BotServices } from './request-scope.ts';

const isItem = (value: string): value is ChecklistItemId => Object.hasOwn(checklistItems, value);

/**
 * The daily security checklist's "Open security incident" buttons: `incident create` run as the person
 * who clicks, through the one invocation path (permission, audit), exactly as if they had typed it.
 */
export function registerReportListeners(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  const pattern = new RegExp(`^${CHECKLIST_INCIDENT_ACTION}:\\d+$`);
  app.action<BlockButtonAction>(pattern, async ({ ack, body, action, context, respond }) => {
    await ack();
    const { requestId, logger } = requestScope(context, baseLogger);
    const item = (action as { value?: string }).value ?? '';
    const message = body.message as { ts?: string } | undefined;
    const channelId = body.channel?.id ?? '';
    const input = isItem(item)
      ? {
          ...checklistIncident(item, false),
          description: `Opened from the daily security checklist${message?.ts ? ` (message ${message.ts})` : ''}.`,
        }
      : // An altered value: let the action's own validation refuse it, audited like any bad input.
        { title: item.slice(0, 40) };
    const outcome = await invoke(
      {
        command: { actionId: 'incident create', input },
        invoker: { userId: body.user.id, teamId: body.team?.id ?? body.user.team_id ?? '', channelId },
        requestId,
        logger,
      },
      invokeDepsOf(services),
    );
    try {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: outcome.reply.text,
        ...(outcome.reply.blocks ? { blocks: outcome.reply.blocks } : {}),
      });
    } catch (err) {
      logger.warn({ err }, 'checklist reply could not be delivered');
    }
  });
}
