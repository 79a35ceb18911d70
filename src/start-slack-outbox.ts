import type { Logger } from './logger.ts';
import type { Pool } from './store/database.ts';
import type { SlackClient } from './slack/slack-client.ts';
import { PgSlackOutbox } from './store/pg-slack-outbox.ts';
import { WebApiSlackPoster } from './slack/slack-poster.ts';
import { OutboxNotifier } from './slack/outbox-notifier.ts';
import { OutboxDeliverer } from './slack/outbox-deliverer.ts';
import type { PgRunStore } from './store/pg-run-store.ts';
import type { PgApprovalStore } from './store/pg-approval-store.ts';
import { runIdOfStatusKey } from './jobs/thread-progress.ts';
import { approvalIdOfMessageKey } from './permissions/approval-message.ts';

/**
 * Every write to Slack goes through the outbox; every role delivers it (one at a time, elected). A posted
 * message whose ts is part of some state (a run's status message, a request's approval message) is
 * recorded there.
 */
export function startSlackOutbox(options: {
  pool: Pool;
  schema: string;
  slack: SlackClient;
  runStore: PgRunStore;
  approvals: PgApprovalStore;
  logger: Logger;
}): { outbox: PgSlackOutbox; notifier: OutboxNotifier; stop: () => Promise<void> } {
  const { runStore, approvals } = options;
  const outbox = new PgSlackOutbox(options.pool, options.schema);
  const poster = new WebApiSlackPoster(options.slack);
  const deliverer = new OutboxDeliverer({
    outbox,
    slack: poster,
    logger: options.logger.child({ component: 'slack-outbox' }),
    onPosted: async ({ key, channel, ts }) => {
      const runId = runIdOfStatusKey(key);
      if (runId) await runStore.setStatusMessage(runId, ts);
      const approvalId = approvalIdOfMessageKey(key);
      if (approvalId) await approvals.attachMessage(approvalId, channel, ts);
    },
  });
  // The posts this process writes go out as their transaction commits while it leads (no outbox read between).
  outbox.deliverPostsVia(deliverer);
  deliverer.start();
  return { outbox, notifier: new OutboxNotifier({ outbox, slack: poster }), stop: () => deliverer.stop() };
}
