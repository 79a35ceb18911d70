import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import { invoke, type InvokeOutcome } from '../handlers/core/invoke.ts';
import { refusedHomeView } from '../handlers/monitoring/app-home-view.ts';
import { invokeClick } from './button-invoke.ts';
import { opsChannelId } from './ops-channel.ts';
import { invokeDepsOf, requestScope, type BotServices } from './request-scope.ts';

type Publisher = { views: { publish(args: { user_id: string; view: never }): Promise<unknown> } };

/**
 * The App Home tab: the `home` action (authorised and audited like any other), published when opened and
 * on its Refresh button; its Deploy button opens the deploy form. Approval buttons on it are the approval
 * listeners'.
 */
export function registerAppHomeListener(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  /** Publishes what the `home` action answered (or why it refused) as the person's home view. */
  const publish = async (client: Publisher, user: string, logger: Logger, answer: () => Promise<InvokeOutcome>) => {
    try {
      const { reply, outcome } = await answer();
      const view = outcome === 'ok' ? { type: 'home', blocks: reply.blocks ?? [] } : refusedHomeView(reply.text);
      await client.views.publish({ user_id: user, view: view as never });
    } catch (err) {
      logger.warn({ err, user }, 'app home could not be published');
    }
  };
  const home = { actionId: 'home', input: {} };

  app.event('app_home_opened', async ({ event, client, context }) => {
    if (event.tab !== 'home') return;
    const { requestId, logger } = requestScope(context, baseLogger);
    const invoker = { userId: event.user, teamId: context.teamId ?? '', channelId: '' };
    await publish(client as unknown as Publisher, event.user, logger, () =>
      invoke({ command: home, invoker, requestId, logger }, invokeDepsOf(services)),
    );
  });

  // Refresh is a button like any other: on the click path (workspace, replay, failing closed).
  app.action<BlockButtonAction>('home:refresh', async ({ ack, body, action, client, context }) => {
    await ack();
    const { requestId, logger } = requestScope(context, baseLogger);
    await publish(client as unknown as Publisher, body.user.id, logger, () =>
      invokeClick(services, body, action, { requestId, logger, context }, () => home),
    );
  });

  // The home has no channel: the form and what comes of it (the plan, the approval, refusals of the
  // submission) belong to the ops channel. A refusal of the click itself goes to the person by DM (the
  // app's Messages tab): someone who may not deploy is often not in the ops channel, and Slack drops an
  // ephemeral to a non-member (user_not_in_channel).
  app.action<BlockButtonAction>('home:deploy', async ({ ack, body, action, context }) => {
    await ack();
    const { requestId, logger } = requestScope(context, baseLogger);
    const { deps } = services;
    let text: string;
    try {
      const channelId = await opsChannelId(deps);
      const scope = { requestId, logger, context, channelId };
      ({ text } = (
        await invokeClick(services, body, action, scope, () => ({ actionId: 'deploy-form', input: {} }))
      ).reply);
    } catch (err) {
      logger.warn({ err }, 'the ops channel could not be found for the deploy form');
      text = `:warning: I cannot find the ops channel (\`${deps.channels.ops}\`) to deploy from, so I did not open the form. Use \`/eafix deploy\` there.`;
    }
    if (!text) return;
    try {
      await deps.notifier.send({ channel: body.user.id, text });
    } catch (err) {
      logger.warn({ err }, 'could not tell the clicker why the deploy form did not open');
    }
  });
}
