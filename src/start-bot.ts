import type { Env } from './config/env.ts';
import type { Policy } from './config/policy.ts';
import type { Logger } from './logger.ts';
import { createPool, migrate, type Pool } from './store/database.ts';
import { PgAuditLog } from './store/pg-audit-log.ts';
import { createRedis, withTimeout, type Redis } from './redis/redis-connection.ts';
import { RedisEventDeduper } from './redis/event-deduper.ts';
import { ActionRegistry } from './handlers/registry.ts';
import { allActions } from './handlers/actions.ts';
import type { ActionDeps } from './handlers/action-deps.ts';
import { SlackHttpReceiver } from './bot/slack-http-receiver.ts';
import { createSlackApp, type SlackApp } from './bot/slack-app.ts';
import { packageInfo } from './package-info.ts';
import { startJobs, type JobSettings } from './start-jobs.ts';
import { startIncidents } from './start-incidents.ts';
import { startMonitoring } from './start-monitoring.ts';
import { createCluster, type KubeConfig } from './cluster/create-cluster.ts';
import { ConfigError } from './config/format-issues.ts';
import { checkCoverage } from './permissions/coverage.ts';
import { Authorizer } from './permissions/authorizer.ts';
import { CachedDirectory } from './permissions/directory.ts';
import { ApprovalService } from './permissions/approval-service.ts';
import { startExpirySweeper } from './permissions/expiry-sweeper.ts';
import { PgApprovalStore } from './store/pg-approval-store.ts';
import { PgBreakGlassLog } from './store/pg-break-glass-log.ts';
import { PgPlatformState } from './store/pg-platform-state.ts';
import { createSlackClient } from './bot/slack-client.ts';
import { WebApiDirectory, WebApiNotifier } from './bot/web-api-adapters.ts';

export type Role = 'web' | 'worker' | 'all';

export interface RunningBot {
  /** The HTTP port (Slack events and health) when the role serves HTTP. */
  port?: number;
  deps: ActionDeps;
  pool: Pool;
  redis: Redis;
  stop(): Promise<void>;
}

export interface StartOptions {
  env: Env;
  policy: Policy;
  logger: Logger;
  role: Role;
  host?: string;
  /** The cluster to use instead of KUBECONFIG / in-cluster config (the sandbox's simulator). */
  kubeConfig?: KubeConfig;
  /** Job engine timings (tests shorten crash detection). */
  jobs?: JobSettings;
  /** How often overdue approval requests are expired (worker role). */
  sweepIntervalMs?: number;
}

/** Composition root for one process: wires adapters by hand and starts what the role needs. */
export async function startBot(options: StartOptions): Promise<RunningBot> {
  const { env, policy, logger, role, host } = options;
  const pool = createPool({ url: env.DATABASE_URL, schema: env.DATABASE_SCHEMA }, logger);
  const redis = createRedis(env.REDIS_URL, logger, role);
  const stoppers: Array<() => Promise<unknown>> = [
    () => redis.quit().catch(() => redis.disconnect()),
    () => pool.end(),
  ];
  try {
    await migrate(pool, env.DATABASE_SCHEMA, logger);
    const registry = new ActionRegistry(allActions);
    const coverage = checkCoverage(policy.rbac, registry.actions);
    if (coverage.length > 0) throw new ConfigError('policy file (rbac coverage)', coverage);
    const audit = new PgAuditLog(pool);
    // Read-only commands are audited after their answer: write what is queued before the pool closes.
    stoppers.splice(stoppers.length - 1, 0, () => audit.drain());
    const slack = createSlackClient(env.SLACK_BOT_TOKEN, env.SLACK_API_URL, logger);
    const directory = new CachedDirectory(new WebApiDirectory(slack), policy.rbac.usergroupCacheSeconds * 1000);
    const base: Omit<ActionDeps, 'approvalService' | 'runs'> = {
      registry,
      audit,
      authorizer: new Authorizer(policy.rbac, directory),
      approvals: new PgApprovalStore(pool),
      breakGlass: new PgBreakGlassLog(pool),
      platform: new PgPlatformState(pool),
      notifier: new WebApiNotifier(slack),
      channels: policy.channels,
      topology: policy.topology,
      impersonation: policy.kubernetes.impersonate,
      cluster: createCluster({ topology: policy.topology, logger, kubeconfigPath: env.KUBECONFIG, ...(options.kubeConfig ? { kubeConfig: options.kubeConfig } : {}) }),
      version: { ...packageInfo(), commit: process.env.GIT_COMMIT, startedAt: new Date() },
      now: () => new Date(),
    };
    // The approval service and the run worker call back into actions, which need the deps: tie the knot once.
    const deps = base as ActionDeps;
    deps.approvalService = new ApprovalService(deps);
    const jobs = await startJobs({ role, env, pool, redis, deps, logger, ...(options.jobs ? { settings: options.jobs } : {}) });
    deps.runs = jobs.runs;
    stoppers.unshift(jobs.stop);
    const incidents = await startIncidents({ role, env, policy, pool, redis, deps, directory, logger });
    deps.incidents = incidents.service;
    stoppers.unshift(incidents.stop);
    const monitoring = await startMonitoring({ role, env, policy, pool, redis, slack, deps, logger });
    deps.monitoring = monitoring.monitoring;
    stoppers.unshift(monitoring.stop);

    if (role === 'worker' || role === 'all') {
      stoppers.unshift(startExpirySweeper(deps.approvalService, logger, options.sweepIntervalMs ?? 30_000));
    }

    // Every role serves /healthz and /readyz; only web and all take Slack traffic.
    const receiver = new SlackHttpReceiver({
      signingSecret: env.SLACK_SIGNING_SECRET,
      port: env.PORT,
      ...(host ? { host } : {}),
      logger,
      firstSighting: (id) => new RedisEventDeduper(redis, env.REDIS_PREFIX, logger).firstSighting(id),
      readiness: () => readiness(pool, redis),
    });
    if (role === 'worker') {
      await receiver.start();
      stoppers.unshift(() => receiver.stop());
    } else {
      const app: SlackApp = createSlackApp({
        botToken: env.SLACK_BOT_TOKEN,
        signingSecret: env.SLACK_SIGNING_SECRET,
        apiUrl: env.SLACK_API_URL,
        logger,
        deps,
        ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : { receiver }),
      });
      if (env.SLACK_APP_TOKEN) {
        // Socket Mode: Slack traffic comes over the socket; the receiver still serves health checks.
        await app.start();
        await receiver.start();
        stoppers.unshift(() => receiver.stop(), () => app.stop());
      } else {
        await app.start();
        stoppers.unshift(() => app.stop());
      }
      logger.info({ port: receiver.port, socketMode: Boolean(env.SLACK_APP_TOKEN) }, 'slack listener started');
    }
    const port = receiver.port;
    return { port, deps, pool, redis, stop: () => stopAll(stoppers, logger) };
  } catch (error) {
    await stopAll(stoppers, logger);
    throw error;
  }
}

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
    check('postgres', () => pool.query('SELECT 1')),
    check('redis', () => redis.ping()),
  ]);
  return { postgres, redis: redisState };
}

/** Stops each part in order, each bounded so a dead Redis or database never hangs shutdown. */
async function stopAll(stoppers: Array<() => Promise<unknown>>, logger: Logger): Promise<void> {
  for (const stop of stoppers) {
    try {
      await withTimeout(stop(), 5_000, 'shutdown step');
    } catch (err) {
      logger.warn({ err }, 'shutdown step did not finish cleanly');
    }
  }
}
