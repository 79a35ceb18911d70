import type { Env } from './config/env.ts';
import type { Policy } from './config/policy.ts';
import type { Logger } from './logger.ts';
import { checkPooledSchema, createPool, migrate, type Pool } from './store/database.ts';
import { PgAuditLog } from './store/pg-audit-log.ts';
import { createRedis, type Redis } from './redis/redis-connection.ts';
import { ActionRegistry } from './handlers/core/registry.ts';
import { allActions } from './handlers/actions.ts';
import type { ActionDeps } from './handlers/core/action-deps.ts';
import { packageInfo } from './package-info.ts';
import { jobSettingsFrom, startJobs, type JobSettings } from './start-jobs.ts';
import { startIncidents } from './start-incidents.ts';
import { startMonitoring } from './start-monitoring.ts';
import { startDr } from './start-dr.ts';
import { startMaintenance } from './start-maintenance.ts';
import { startSlackOutbox } from './start-slack-outbox.ts';
import { startWorkers } from './start-workers.ts';
import { serveHttp } from './serve-http.ts';
import { stopAll, type ShutdownSteps } from './stop-all.ts';
import { createCluster, type KubeConfig } from './cluster/create-cluster.ts';
import { clusterSites } from './handlers/core/cluster-sites.ts';
import { ConfigError } from './config/format-issues.ts';
import { sentinelSettingsFrom } from './config/data-store-env.ts';
import { checkPolicyReferences } from './policy-checks.ts';
import { Authorizer } from './permissions/authorizer.ts';
import { CachedDirectory } from './permissions/directory.ts';
import { ApprovalService } from './permissions/approval-service.ts';
import { PgApprovalStore } from './store/pg-approval-store.ts';
import { PgBreakGlassLog } from './store/pg-break-glass-log.ts';
import { createSlackClient } from './slack/slack-client.ts';
import { WebApiDirectory } from './slack/slack-directory.ts';
import { learnInstallation } from './bot/installation.ts';
import { requiredScopes } from './handlers/monitoring/slack-checks.ts';
import { PgRunStore } from './store/pg-run-store.ts';
import type { Role } from './process-role.ts';
import { startMetrics } from './metrics/start-metrics.ts';
import { PgAlertLog } from './store/pg-alert-log.ts';

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
  const stoppers: ShutdownSteps = [() => redis.quit().catch(() => redis.disconnect()), () => pool.end()];
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
    // A worker process, whose jobs are what use the cluster, loads the Kubernetes client while it starts
    // (alongside the database and Redis) and before its workers take a job. The `web` and `all` roles load
    // it with the first command or step that needs it: an idle `all` process settles ~30 MB smaller, and the
    // load (an ESM graph: ~0.8 s, in which the event loop is never held more than ~0.2 s) does not hold up
    // the renewal of a job's lock (10 s, renewed every 5 s) should a step be first.
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
    const approvals = new PgApprovalStore(pool, now);
    const {
      outbox,
      notifier,
      stop: stopOutbox,
    } = startSlackOutbox({
      pool,
      schema: env.DATABASE_SCHEMA,
      slack,
      runStore,
      approvals,
      logger,
    });
    stoppers.unshift(stopOutbox);
    const directory = new CachedDirectory(new WebApiDirectory(slack), policy.rbac.usergroupCacheSeconds * 1000);
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
    const workers = () =>
      startWorkers({
        ...(clusterLoaded ? { clusterLoaded } : {}),
        parts: [jobs, incidents, monitoring, dr],
        passes: [maintenance.pass(deps, approvalService)],
        deps,
        approvalService,
        reconcileIntervalMs: options.jobs?.reconcileIntervalMs ?? env.RECONCILE_INTERVAL_MS,
        sweepIntervalMs: options.sweepIntervalMs ?? 30_000,
        logger,
        shutdown: stoppers,
      });
    // A worker is ready once it takes jobs. The `all` role takes Slack traffic first and starts its workers
    // (and loads the BullMQ they need) right after, before startBot returns: a command
    // accepted in between is recorded and queued, and its run starts once the workers are up; workers that
    // fail to start fail startBot, and the process exits instead of staying ready without them.
    if (role === 'worker') await workers();
    const receiver = await serveHttp({
      role,
      env,
      policy,
      ...(host ? { host } : {}),
      pool,
      redis,
      slack,
      metrics,
      deps,
      approvalService,
      alerts,
      logger,
      shutdown: stoppers,
    });
    if (role === 'all') await workers();
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
