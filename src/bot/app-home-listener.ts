import type { App } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import { gatherHome } from '../handlers/monitoring/app-home.ts';
import { appHomeView } from '../handlers/monitoring/app-home-view.ts';

type Publisher = { views: { publish(args: { user_id: string; view: never }): Promise<unknown> } };

/** The App Home tab: published when opened and on its Refresh button. Approval buttons on it are the approval listeners'. */
export function registerAppHomeListener(app: App, deps: ActionDeps, logger: Logger): void {
  const publish = async (client: Publisher, user: string, teamId: string) => {
    try {
      const view = appHomeView(await gatherHome(deps, user, teamId, logger));
      await client.views.publish({ user_id: user, view: view as never });
    } catch (err) {
      logger.warn({ err, user }, 'app home could not be published');
    }
  };

  app.event('app_home_opened', async ({ event, client, context }) => {
    if (event.tab !== 'home') return;
    await publish(client as unknown as Publisher, event.user, context.teamId ?? '');
  });

  app.action('home:refresh', async ({ ack, body, client }) => {
    await ack();
    const team = (body as { team?: { id?: string } | null }).team?.id ?? '';
    await publish(client as unknown as Publisher, body.user.id, team);
  });
}
