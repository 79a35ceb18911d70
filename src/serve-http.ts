import type { Env } from './config/env.ts';
import type { Policy } from './config/policy.ts';
import type { Logger } from './logger.ts';
import { pingDatabase, type Pool } from './store/database.ts';
import { createRedis, withTimeout, type Redis } from './redis/redis-connection.ts';
import { sentinelSettingsFrom } from './config/data-store-env.ts';
import type { ActionDeps } from './handlers/core/action-deps.ts';
import type { ApprovalService } from './permissions/approval-service.ts';
import type { SlackClient } from './slack/slack-client.ts';
import type { RunningMetrics } from './metrics/start-metrics.ts';
import type { PgAlertLog } from './store/pg-alert-log.ts';
import { SlackHttpReceiver, type HttpRoute } from './bot/slack-http-receiver.ts';
import { createSlackApp, type SlackApp } from './bot/slack-app.ts';
import { createInboundGate } from './bot/create-inbound-gate.ts';
import { SlackAuthorizer } from './bot/slack-authorizer.ts';
import { SocketModeConnection } from './bot/socket-mode-connection.ts';
import { AlertIntake } from './alerts/alert-intake.ts';
import { alertmanagerRoute } from './alerts/alertmanager-route.ts';
import type { Role } from './process-role.ts';
import type { ShutdownSteps } from './stop-all.ts';

/**
 * Every role serves /healthz, /readyz and /metrics; web and all also take Slack traffic, once auth.test
 * passes, through the gate (which checks each request against the installation auth.test names), and
 * Alertmanager's webhook. Resolves once the port answers.
 */
export async function serveHttp(options: {
  role: Role;
  env: Env;
  policy: Policy;
  host?: string;
  pool: Pool;
  redis: Redis;
  slack: SlackClient;
  metrics: RunningMetrics;
  deps: ActionDeps;
  approvalService: ApprovalService;
  alerts: PgAlertLog;
  logger: Logger;
  shutdown: ShutdownSteps;
}): Promise<SlackHttpReceiver> {
  const { role, env, logger, shutdown, pool, redis, deps } = options;
  if (role === 'worker') {
    const receiver = new SlackHttpReceiver({
      signingSecret: env.SLACK_SIGNING_SECRET,
      port: env.PORT,
      ...(options.host ? { host: options.host } : {}),
      logger,
      readiness: () => readiness(pool, redis),
      routes: [options.metrics.route],
      onAck: options.metrics.onAck,
    });
    await receiver.start();
    shutdown.unshift(() => receiver.stop());
    return receiver;
  }
  const authorizer = new SlackAuthorizer({ client: options.slack, botToken: env.SLACK_BOT_TOKEN, logger });
  // The replay check's own connection, auto-pipelined: 50 requests at once cost Redis one write, not 50.
  const ledgerRedis = createRedis(env.REDIS_URL, logger, `${role}-replay`, sentinelSettingsFrom(env), {
    autoPipelining: true,
  });
  shutdown.unshift(() => ledgerRedis.quit().catch(() => ledgerRedis.disconnect()));
  const gate = createInboundGate({
    installation: authorizer.installation,
    policy: options.policy.slack,
    pool,
    redis: ledgerRedis,
    redisPrefix: env.REDIS_PREFIX,
    audit: deps.audit,
    logger,
  });
  // Socket Mode connects in the background, retrying while Slack is unreachable.
  let socket: SocketModeConnection | undefined;
  const receiver = new SlackHttpReceiver({
    signingSecret: env.SLACK_SIGNING_SECRET,
    port: env.PORT,
    ...(options.host ? { host: options.host } : {}),
    logger,
    gate,
    readiness: async () => ({
      ...(await readiness(pool, redis)),
      slack: authorizer.readiness(),
      ...(socket ? { socketMode: socket.readiness() } : {}),
    }),
    routes: [options.metrics.route, alertsRoute(options), ...(await dashboardRoutes(options))],
    onAck: options.metrics.onAck,
  });
  shutdown.unshift(async () => authorizer.stop());
  // Normally authenticated before serving; an unreachable Slack only delays readiness, never the start.
  await withTimeout(authorizer.start(), 5_000, 'slack auth.test').catch(() => undefined);
  const app: SlackApp = createSlackApp({
    authorize: authorizer.authorize,
    signingSecret: env.SLACK_SIGNING_SECRET,
    apiUrl: env.SLACK_API_URL,
    logger,
    services: { deps, approvalService: options.approvalService, alerts: options.alerts },
    gate,
    ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : { receiver }),
  });
  if (env.SLACK_APP_TOKEN) {
    // Socket Mode: Slack traffic comes over the socket; the receiver still serves health checks, from
    // the start, so an unreachable Slack is a not-ready pod that keeps retrying, never a crash loop.
    await receiver.start();
    const connection = new SocketModeConnection({ open: () => app.start(), logger });
    socket = connection;
    connection.start();
    shutdown.unshift(
      () => receiver.stop(),
      async () => {
        connection.stop();
        await app.stop();
      },
    );
  } else {
    await app.start();
    shutdown.unshift(() => app.stop());
  }
  logger.info({ port: receiver.port, socketMode: Boolean(env.SLACK_APP_TOKEN) }, 'slack listener started');
  return receiver;
}

/** Alertmanager's webhook (refused until ALERTMANAGER_TOKEN is set). */
function alertsRoute(options: Parameters<typeof serveHttp>[0]): HttpRoute {
  const { deps, policy, logger } = options;
  return alertmanagerRoute({
    token: options.env.ALERTMANAGER_TOKEN,
    intake: new AlertIntake({
      log: options.alerts,
      audit: deps.audit,
      topology: policy.topology,
      registry: deps.registry,
      runs: deps.runs,
      incidents: deps.incidents,
      policy: policy.alerts,
      opsChannel: policy.channels.ops,
      now: deps.now,
      logger,
    }),
    logger,
  });
}

/** The queue dashboard, only when enabled (never open); Bull Board loads only then. */
async function dashboardRoutes(options: Parameters<typeof serveHttp>[0]): Promise<HttpRoute[]> {
  const { env } = options;
  if (!env.QUEUE_DASHBOARD) return [];
  const dashboard = await import('./queue-dashboard/queue-dashboard.ts');
  return [
    dashboard.queueDashboard({
      queues: await Promise.all(options.metrics.queues.map((q) => q.open())),
      auth: dashboard.dashboardAuthFrom(env),
      allowActions: env.QUEUE_DASHBOARD_ACTIONS,
      logger: options.logger,
    }),
  ];
}

/** Ready means commands are accepted and recorded: PostgreSQL and Redis answer (each within 1 s). */
async function readiness(pool: Pool, redis: Redis): Promise<Record<string, string>> {
  const check = async (name: string, probe: () => Promise<unknown>) => {
    try {
      await withTimeout(probe(), 1_000, name);
      return 'ok';
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
  const [postgres, redisState] = await Promise.all([
    check('postgres', () => pingDatabase(pool)),
    check('redis', () => redis.ping()),
  ]);
  return { postgres, redis: redisState };
}
