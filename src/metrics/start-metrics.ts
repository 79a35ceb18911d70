import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QueueHandle } from '../jobs/queue-handles.ts';
import type { HttpRoute } from '../bot/slack-http-receiver.ts';
import type { RunObserver } from '../jobs/run-events.ts';
import type { Logger } from '../logger.ts';
import type { Redis } from '../redis/redis-connection.ts';
import type { Pool } from '../store/database.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { PgOpsGauges } from '../store/pg-ops-gauges.ts';
import { createBotMetrics, type BotMetrics } from './bot-metrics.ts';
import { collectGauges } from './collectors.ts';
import { MeteredAuditLog } from './metered-audit-log.ts';
import { openQueues } from '../jobs/queue-handles.ts';
import { RunMetricsObserver } from './run-metrics.ts';
import { countSlackRateLimits } from './slack-rate-limits.ts';
import { slackRequestLabels } from './slack-request-labels.ts';

export interface MetricsOptions {
  role: string;
  pool: Pool;
  redis: Redis;
  redisPrefix: string;
  slackApiUrl: string;
  /** Action ids, to label commands (anything else is `unknown`). */
  actionIds: readonly string[];
  /** Resolves a command's words to its action id (the registry's resolve). */
  resolveCommand: (words: string[]) => string | undefined;
  kindOfRun: (runId: string) => Promise<string | undefined>;
  logger: Logger;
}

export interface RunningMetrics {
  metrics: BotMetrics;
  /** Handles on the bot's BullMQ queues (shared with the queue dashboard). */
  queues: QueueHandle[];
  /** GET /metrics in Prometheus's text format. */
  route: HttpRoute;
  onAck: (body: Record<string, unknown>, seconds: number) => void;
  meterAudit: (audit: AuditLog) => AuditLog;
  runObserver: RunObserver;
  stop: () => Promise<void>;
}

/** Everything the bot exports to Prometheus, wired to its sources; see bot-metrics.ts for the series. */
export function startMetrics(options: MetricsOptions): RunningMetrics {
  const metrics = createBotMetrics(options.role);
  const logger = options.logger.child({ component: 'metrics' });
  const opened = openQueues(options.redis, options.redisPrefix, logger);
  const gauges = new PgOpsGauges(options.pool);
  const stopCountingRateLimits = countSlackRateLimits(metrics, options.slackApiUrl);
  const commands = new Set([...options.actionIds, 'unknown']);

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    await collectGauges(metrics, { pool: options.pool, gauges, queues: opened.queues, logger });
    const text = await metrics.registry.metrics();
    res
      .writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(text) })
      .end(text);
  };

  return {
    metrics,
    queues: opened.queues,
    route: { prefix: '/metrics', handle: serve },
    onAck: (body, seconds) => metrics.ackSeconds.observe(slackRequestLabels(body, options.resolveCommand), seconds),
    meterAudit: (audit) => new MeteredAuditLog(audit, metrics, (action) => commands.has(action)),
    runObserver: new RunMetricsObserver(metrics, options.kindOfRun),
    stop: async () => {
      stopCountingRateLimits();
      await opened.close();
    },
  };
}
