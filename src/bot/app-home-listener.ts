import type { App } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { invoke } from '../handlers/core/invoke.ts';
import { refusedHomeView } from '../handlers/monitoring/app-home-view.ts';
import { invokeDepsOf, requestScope, type BotServices } from './request-scope.ts';

type Publisher = { views: { publish(args: { user_id: string; view: never }): Promise<unknown> } };

/**
 * The App Home tab: the `home` action (authorised and audited like any other), published when opened and
 * on its Refresh button. Approval buttons on it are the approval listeners'.
 */
export function registerAppHomeListener(app: App, services: BotServices, baseLogger: Logger): void {
  const publish = async (client: Publisher, user: string, teamId: string, context: Record<string, unknown>) => {
    const { requestId, logger } = requestScope(context, baseLogger);
    try {
      const { reply, outcome } = await invoke(
        {
          command: { actionId: 'home', input: {} },
          invoker: { userId: user, teamId, channelId: '' },
          requestId,
          logger,
        },
        invokeDepsOf(services),
      );
      const view = outcome === 'ok' ? { type: 'home', blocks: reply.blocks ?? [] } : refusedHomeView(reply.text);
      await client.views.publish({ user_id: user, view: view as never });
    } catch (err) {
      logger.warn({ err, user }, 'app home could not be published');
    }
  };

  app.event('app_home_opened', async ({ event, client, context }) => {
    if (event.tab !== 'home') return;
    await publish(client as unknown as Publisher, event.user, context.teamId ?? '', context);
  });

  app.action('home:refresh', async ({ ack, body, client, context }) => {
    await ack();
    const team = (body as { team?: { id?: string } | null }).team?.id ?? '';
    await publish(client as unknown as Publisher, body.user.id, team, context);
  });
}
