import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { OpenQueue } from '../jobs/queue-handles.ts';
import express from 'express';
import type { HttpRoute } from '../bot/slack-http-receiver.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../logger.ts';
import { authenticate, type DashboardAuth } from './dashboard-auth.ts';

export const DASHBOARD_PATH = '/admin/queues';

/** The dashboard's authentication from the environment (env.ts refuses an enabled dashboard without one). */
export function dashboardAuthFrom(env: Env): DashboardAuth {
  if (env.QUEUE_DASHBOARD_USER && env.QUEUE_DASHBOARD_PASSWORD)
    return { kind: 'basic', user: env.QUEUE_DASHBOARD_USER, password: env.QUEUE_DASHBOARD_PASSWORD };
  if (env.QUEUE_DASHBOARD_TRUSTED_HEADER) return { kind: 'trusted-header', header: env.QUEUE_DASHBOARD_TRUSTED_HEADER };
  throw new Error('the queue dashboard needs an authentication setting');
}

/**
 * Bull Board (its BullMQ adapter, served by its Express adapter) under /admin/queues on the web port.
 * Every request is authenticated first; jobs can only be looked at unless `allowActions`.
 */
export function queueDashboard(options: {
  queues: readonly OpenQueue[];
  auth: DashboardAuth;
  allowActions: boolean;
  logger: Logger;
}): HttpRoute {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: options.queues.map(
      (q) => new BullMQAdapter(q, { readOnlyMode: !options.allowActions, allowRetries: options.allowActions }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'eafix queues' } },
  });
  const app = express();
  app.disable('x-powered-by');
  const logger = options.logger.child({ component: 'queue-dashboard' });
  app.use(
    DASHBOARD_PATH,
    (req, res, next) => {
      const verdict = authenticate(req, options.auth);
      if (verdict.ok) {
        if (req.method === 'GET' || req.method === 'HEAD') return next();
        // Read-only is enforced here too, not only by Bull Board's per-queue flag.
        if (!options.allowActions) return void res.status(405).json({ error: 'read_only' });
        logger.info({ who: verdict.who, method: req.method, path: req.originalUrl }, 'queue dashboard action');
        return next();
      }
      if (verdict.challenge) res.setHeader('www-authenticate', verdict.challenge);
      res.status(401).json({ error: 'unauthorized' });
    },
    serverAdapter.getRouter(),
  );
  return { prefix: DASHBOARD_PATH, handle: (req: IncomingMessage, res: ServerResponse) => void app(req, res) };
}
