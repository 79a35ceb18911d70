import type { Env } from './config/env.ts';
import type { Policy } from './config/policy.ts';
import type { Logger } from './logger.ts';
import { checkPooledSchema, createPool, migrate, pingDatabase, type Pool } from './store/database.ts';
import { PgAuditLog } from './store/pg-audit-log.ts';
import { createRedis, withTimeout, type Redis } from './redis/redis-connection.ts';
import { ActionRegistry } from './handlers/core/registry.ts';
import { allActions } from './handlers/actions.ts';
import type { ActionDeps } from './handlers/core/action-deps.ts';
import { SlackHttpReceiver } from './bot/slack-http-receiver.ts';
import { createSlackApp, type SlackApp } from './bot/slack-app.ts';
import { packageInfo } from './package-info.ts';
import { jobSettingsFrom, startJobs, type JobSettings } from './start-jobs.ts';
import { Reconciler } from './jobs/reconciler.ts';
import { startIncidents } from './start-incidents.ts';
import { startMonitoring } from './start-monitoring.ts';
import { startDr } from './start-dr.ts';
import { startMaintenance } from './start-maintenance.ts';
import { createCluster, type KubeConfig } from './cluster/create-cluster.ts';
import { clusterSites } from './handlers/core/cluster-sites.ts';
import { ConfigError } from './config/format-issues.ts';
import { sentinelSettingsFrom } from './config/data-store-env.ts';
import { checkPolicyReferences } from './policy-checks.ts';
import { Authorizer } from './permissions/authorizer.ts';
import { CachedDirectory } from './permissions/directory.ts';
import { ApprovalService } from './permissions/approval-service.ts';
import { startExpirySweeper } from './permissions/expiry-sweeper.ts';
import { PgApprovalStore } from './store/pg-approval-store.ts';
import { PgBreakGlassLog } from './store/pg-break-glass-log.ts';
import { createSlackClient } from './slack/slack-client.ts';
import { WebApiDirectory } from './slack/slack-directory.ts';
import { createInboundGate } from './bot/create-inbound-gate.ts';
import { learnInstallation } from './bot/installation.ts';
import { SlackAuthorizer } from './bot/slack-authorizer.ts';
import { SocketModeConnection } from './bot/socket-mode-connection.ts';
import { requiredScopes } from './handlers/monitoring/slack-checks.ts';
import { PgSlackOutbox } from './store/pg-slack-outbox.ts';
import { WebApiSlackPoster } from './slack/slack-poster.ts';
import { OutboxNotifier } from './slack/outbox-notifier.ts';
import { OutboxDeliverer } from './slack/outbox-deliverer.ts';
import { PgRunStore } from './store/pg-run-store.ts';
import { runIdOfStatusKey } from './jobs/thread-progress.ts';
import { approvalIdOfMessageKey } from './permissions/approval-message.ts';
import type { Role } from './process-role.ts';
import { startMetrics } from './metrics/start-metrics.ts';
import { PgAlertLog } from './store/pg-alert-log.ts';
import { AlertIntake } from './alerts/alert-intake.ts';
import { alertmanagerRoute } from './alerts/alertmanager-route.ts';

export type { Role } from './process-role.ts';

export interface RunningBot {
  /** The HTTP port (Slack events and health) when the role serves HTTP. */
  port?: number;
  deps: ActionDeps;
  approvalService: ApprovalService;
  pool: Pool;
  redis: Redis;
  /** Slack requests whose handling has not finished (work continues after the ack). */
  requestsInFlight(): number;
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
  /** The clock behind expiries and deadlines (tests move their own); the system clock otherwise. */
  now?: () => Date;
}

/** Composition root for one process: wires adapters by hand and starts what the role needs. */
export async function startBot(options: StartOptions): Promise<RunningBot> {
  const { env, policy, logger, role, host } = options;
  const now = options.now ?? (() => new Date());
  const pool = createPool(
    {
      url: env.DATABASE_URL,
      schema: env.DATABASE_SCHEMA,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
      queryTimeoutMs: env.DATABASE_QUERY_TIMEOUT_MS,
      ...(env.DATABASE_DIRECT_URL ? { directUrl: env.DATABASE_DIRECT_URL } : {}),
    },
    logger,
  );
  const redis = createRedis(env.REDIS_URL, logger, role, sentinelSettingsFrom(env));
  const stoppers: Array<() => Promise<unknown>> = [
    () => redis.quit().catch(() => redis.disconnect()),
    () => pool.end(),
  ];
  try {
    // The policy is checked before the database is touched: a broken policy changes nothing.
    const registry = new ActionRegistry(allActions);
    const { errors } = checkPolicyReferences(policy, registry);
    if (errors.length > 0) throw new ConfigError('policy file', errors);
    const kube = createCluster({
      topology: policy.topology,
      logger,
      kubeconfigPath: env.KUBECONFIG,
      sites: policy.kubernetes.sites,
      ...(options.kubeConfig ? { kubeConfig: options.kubeConfig } : {}),
    });
    // A process that runs jobs loads the Kubernetes client before its workers take a job, not in a job's
    // first step, where the load would hold up the renewal of the job's lock: a worker while it starts
    // (alongside the database and Redis), the `all` role once it serves Slack (see startWorkers below).
    // A web process loads it with the first command that needs the cluster.
    const clusterLoaded = role === 'worker' ? kube.load() : undefined;
    clusterLoaded?.catch(() => undefined); // awaited (and reported) before the workers start
    await migrate(pool, env.DATABASE_SCHEMA, logger);
    if (env.DATABASE_DIRECT_URL) await checkPooledSchema(pool, env.DATABASE_SCHEMA);
    const runStore = new PgRunStore(pool);
    const metrics = startMetrics({
      role,
      pool,
      redis,
      redisPrefix: env.REDIS_PREFIX,
      slackApiUrl: env.SLACK_API_URL,
      logger,
      actionIds: registry.actions.map((a) => a.id),
      resolveCommand: (words) => registry.resolve(words)?.action.id,
      kindOfRun: async (runId) => (await runStore.getRun(runId))?.kind,
    });
    stoppers.unshift(metrics.stop);
    const audit = metrics.meterAudit(new PgAuditLog(pool));
    // Read-only commands are audited after their answer: write what is queued before the pool closes.
    stoppers.splice(stoppers.length - 1, 0, () => audit.drain());
    // One Web API client per process: the outbox, direct calls, lookups, doctor and the Slack authorizer.
    const slack = createSlackClient({ token: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL }, logger);
    // Every write to Slack goes through the outbox; every role delivers it (one at a time, elected).
    const outbox = new PgSlackOutbox(pool, env.DATABASE_SCHEMA);
    const poster = new WebApiSlackPoster(slack);
    const approvals = new PgApprovalStore(pool, now);
    const deliverer = new OutboxDeliverer({
      outbox,
      slack: poster,
      logger: logger.child({ component: 'slack-outbox' }),
      // Messages whose ts is part of some state: a run's status message, a request's approval message.
      onPosted: async ({ key, channel, ts }) => {
        const runId = runIdOfStatusKey(key);
        if (runId) await runStore.setStatusMessage(runId, ts);
        const approvalId = approvalIdOfMessageKey(key);
        if (approvalId) await approvals.attachMessage(approvalId, channel, ts);
      },
    });
    deliverer.start();
    stoppers.unshift(() => deliverer.stop());
    const directory = new CachedDirectory(new WebApiDirectory(slack), policy.rbac.usergroupCacheSeconds * 1000);
    const notifier = new OutboxNotifier({ outbox, slack: poster });
    // Every capability is built before the deps, which are then fixed; workers get them when they start.
    const jobs = startJobs({
      role,
      env,
      pool,
      redis,
      outbox,
      logger,
      runObserver: metrics.runObserver,
      settings: { ...jobSettingsFrom(env), ...options.jobs },
    });
    stoppers.unshift(jobs.stop);
    const incidents = await startIncidents({
      role,
      env,
      policy,
      pool,
      redis,
      registry,
      notifier,
      runs: jobs.runs,
      directory,
      logger,
      now,
    });
    stoppers.unshift(incidents.stop);
    const monitoring = await startMonitoring({ role, env, policy, pool, redis, slack, logger });
    stoppers.unshift(monitoring.stop);
    const dr = startDr({ role, env, policy, pool, redis, logger });
    stoppers.unshift(dr.stop);
    const maintenance = startMaintenance({ policy, pool, logger });
    const deps: ActionDeps = Object.freeze({
      registry,
      audit,
      authorizer: new Authorizer(policy.rbac, directory),
      approvals,
      breakGlass: new PgBreakGlassLog(pool),
      notifier,
      channels: policy.channels,
      topology: policy.topology,
      platformCli: policy.platform.cli,
      platformMetrics: policy.platform.metrics,
      deploySettings: policy.platform.deploy,
      impersonation: policy.kubernetes.impersonate,
      cluster: kube.cluster,
      sites: clusterSites(policy.kubernetes.sites, Object.keys(policy.topology.environments)),
      slackInstallation: { inspect: () => learnInstallation(slack), requiredScopes: requiredScopes(policy) },
      version: { ...packageInfo(), commit: process.env.GIT_COMMIT, startedAt: new Date() },
      runs: jobs.runs,
      incidents: incidents.service,
      monitoring: monitoring.monitoring,
      dr: dr.dr,
      maintenance: maintenance.maintenance,
      now,
    });
    // Executes approved plans by calling back into the actions, with the deps.
    const approvalService = new ApprovalService(deps);
    const alerts = new PgAlertLog(pool, outbox);

    // Everything is wired: only now may workers take jobs, so a job due at start-up finds its deps.
    const startWorkers = async () => {
      await (clusterLoaded ?? kube.load());
      await jobs.start(deps);
      await incidents.start();
      await monitoring.start(deps);
      await dr.start(deps);
      const reconciler = new Reconciler({
        passes: [
          ...jobs.passes,
          ...incidents.passes,
          ...monitoring.passes,
          ...dr.passes,
          maintenance.pass(deps, approvalService),
        ],
        intervalMs: options.jobs?.reconcileIntervalMs ?? env.RECONCILE_INTERVAL_MS,
        logger: logger.child({ component: 'reconciler' }),
      });
      reconciler.start();
      stoppers.unshift(() => reconciler.stop());
      stoppers.unshift(startExpirySweeper(approvalService, logger, options.sweepIntervalMs ?? 30_000));
    };
    // A worker is ready once it takes jobs. The `all` role takes Slack traffic first and starts its workers
    // (and loads the Kubernetes client they need) right after, before startBot returns: a command accepted
    // in between is recorded and queued, and its run starts once the workers are up; workers that fail to
    // start fail startBot, and the process exits instead of staying ready without them.
    if (role === 'worker') await startWorkers();

    // Every role serves /healthz and /readyz; only web and all take Slack traffic, once auth.test passes,
    // through the gate (which checks each request against the installation auth.test names).
    const authorizer =
      role === 'worker' ? undefined : new SlackAuthorizer({ client: slack, botToken: env.SLACK_BOT_TOKEN, logger });
    let gate: ReturnType<typeof createInboundGate> | undefined;
    if (authorizer) {
      // The replay check's own connection, auto-pipelined: 50 requests at once cost Redis one write, not 50.
      const ledgerRedis = createRedis(env.REDIS_URL, logger, `${role}-replay`, sentinelSettingsFrom(env), {
        autoPipelining: true,
      });
      stoppers.unshift(() => ledgerRedis.quit().catch(() => ledgerRedis.disconnect()));
      gate = createInboundGate({
        installation: authorizer.installation,
        policy: policy.slack,
        pool,
        redis: ledgerRedis,
        redisPrefix: env.REDIS_PREFIX,
        audit: deps.audit,
        logger,
      });
    }
    // Socket Mode connects in the background, retrying while Slack is unreachable (web role only).
    let socket: SocketModeConnection | undefined;
    // Bull Board loads only when its dashboard is served.
    const dashboard =
      role !== 'worker' && env.QUEUE_DASHBOARD ? await import('./queue-dashboard/queue-dashboard.ts') : undefined;
    const receiver = new SlackHttpReceiver({
      signingSecret: env.SLACK_SIGNING_SECRET,
      port: env.PORT,
      ...(host ? { host } : {}),
      logger,
      ...(gate ? { gate } : {}),
      readiness: async () => ({
        ...(await readiness(pool, redis)),
        ...(authorizer ? { slack: authorizer.readiness() } : {}),
        ...(socket ? { socketMode: socket.readiness() } : {}),
      }),
      // /metrics on every role; the queue dashboard on web only, and only when enabled (never open).
      routes: [
        metrics.route,
        // Alertmanager's webhook on web (refused until ALERTMANAGER_TOKEN is set).
        ...(role !== 'worker'
          ? [
              alertmanagerRoute({
                token: env.ALERTMANAGER_TOKEN,
                intake: new AlertIntake({
                  log: alerts,
                  audit: deps.audit,
                  topology: policy.topology,
                  registry,
                  runs: deps.runs,
                  incidents: deps.incidents,
                  policy: policy.alerts,
                  opsChannel: policy.channels.ops,
                  now,
                  logger,
                }),
                logger,
              }),
            ]
          : []),
        ...(dashboard
          ? [
              dashboard.queueDashboard({
                queues: await Promise.all(metrics.queues.map((q) => q.open())),
                auth: dashboard.dashboardAuthFrom(env),
                allowActions: env.QUEUE_DASHBOARD_ACTIONS,
                logger,
              }),
            ]
          : []),
      ],
      onAck: metrics.onAck,
    });
    if (role === 'worker') {
      await receiver.start();
      stoppers.unshift(() => receiver.stop());
    } else if (authorizer) {
      stoppers.unshift(async () => authorizer.stop());
      // Normally authenticated before serving; an unreachable Slack only delays readiness, never the start.
      await withTimeout(authorizer.start(), 5_000, 'slack auth.test').catch(() => undefined);
      const app: SlackApp = createSlackApp({
        authorize: authorizer.authorize,
        signingSecret: env.SLACK_SIGNING_SECRET,
        apiUrl: env.SLACK_API_URL,
        logger,
        services: { deps, approvalService, alerts },
        ...(gate ? { gate } : {}),
        ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : { receiver }),
      });
      if (env.SLACK_APP_TOKEN) {
        // Socket Mode: Slack traffic comes over the socket; the receiver still serves health checks, from
        // the start, so an unreachable Slack is a not-ready pod that keeps retrying, never a crash loop.
        await receiver.start();
        const connection = new SocketModeConnection({ open: () => app.start(), logger });
        socket = connection;
        connection.start();
        stoppers.unshift(
          () => receiver.stop(),
          async () => {
            connection.stop();
            await app.stop();
          },
        );
      } else {
        await app.start();
        stoppers.unshift(() => app.stop());
      }
      logger.info({ port: receiver.port, socketMode: Boolean(env.SLACK_APP_TOKEN) }, 'slack listener started');
    }
    if (role === 'all') await startWorkers();
    const port = receiver.port;
    return {
      port,
      deps,
      approvalService,
      pool,
      redis,
      requestsInFlight: () => receiver.inFlight,
      stop: () => stopAll(stoppers, logger),
    };
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
    check('postgres', () => pingDatabase(pool)),
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
