import type { Env } from './config/env.ts';
import type { Policy } from './config/policy.ts';
import type { Logger } from './logger.ts';
import { pingDatabase, type Pool } from './store/database.ts';
import type { Redis } from './redis/redis-connection.ts';
import { withTimeout } from './redis/redis-connection.ts';
import type { ActionDeps } from './handlers/core/action-deps.ts';
import type { MonitoringDeps } from './handlers/monitoring/monitoring-deps.ts';
import { postDigest } from './handlers/monitoring/digest-post.ts';
import { slackAuthProbe } from './slack/slack-auth-probe.ts';
import type { SlackClient } from './slack/slack-client.ts';
import { DigestScheduler } from './jobs/digest-scheduler.ts';
import { DigestWorker } from './jobs/digest-worker.ts';
import { catchUpMissedTicks } from './jobs/digest-catch-up.ts';
import { PgRunStats } from './store/pg-run-stats.ts';
import { PrometheusHttpClient } from './prometheus/prometheus-client.ts';
import { PgDigestPosts } from './store/pg-digest-posts.ts';
import { VegaPngCharts } from './charts/vega-png-charts.ts';
import type { ReconcilePass } from './jobs/reconciler.ts';
import type { Role } from './process-role.ts';

/** Digests, KPIs and doctor's probes (every role); the digest worker and schedule sync (worker and all roles). */
export async function startMonitoring(options: {
  role: Role;
  env: Env;
  policy: Policy;
  pool: Pool;
  redis: Redis;
  slack: SlackClient;
  logger: Logger;
}): Promise<{
  monitoring: MonitoringDeps;
  start: (deps: ActionDeps) => Promise<void>;
  passes: ReconcilePass[];
  stop: () => Promise<void>;
}> {
  const { env, policy, pool, redis } = options;
  const logger = options.logger.child({ component: 'monitoring' });
  const prometheusUrl = env.PROMETHEUS_URL ?? policy.monitoring.prometheus.url;
  const scheduler = new DigestScheduler({ connection: redis, prefix: env.REDIS_PREFIX, logger });
  const monitoring: MonitoringDeps = {
    digests: policy.digests,
    kpis: policy.monitoring.kpis,
    backups: policy.monitoring.backups,
    prometheus: prometheusUrl
      ? new PrometheusHttpClient({ url: prometheusUrl, timeoutMs: policy.monitoring.prometheus.timeout })
      : undefined,
    runStats: new PgRunStats(pool),
    publisher: scheduler,
    reports: policy.reports,
    charts: new VegaPngCharts(),
    probes: {
      slack: slackAuthProbe(options.slack),
      postgres: async () => {
        await pingDatabase(pool);
        return `schema ${env.DATABASE_SCHEMA} answers`;
      },
      redis: async () => `${await withTimeout(redis.ping(), 2_000, 'redis')} (prefix ${env.REDIS_PREFIX})`,
    },
  };
  if (!prometheusUrl)
    logger.warn(
      'no Prometheus configured (PROMETHEUS_URL or monitoring.prometheus.url); KPIs will show as unavailable',
    );

  const postsDigests = options.role === 'worker' || options.role === 'all';
  let worker: DigestWorker | undefined;
  const posts = new PgDigestPosts(pool);
  // The digest worker posts with the finished deps: created once they exist.
  const createWorker = (deps: ActionDeps) => {
    return new DigestWorker({
      connection: redis,
      prefix: env.REDIS_PREFIX,
      logger,
      post: (tick) =>
        postDigest(deps, deps.notifier, posts, tick, logger.child({ digest: tick.digest, requestId: tick.tickKey })),
      onGaveUp: async (data, reason) => {
        if (!data.channel || !data.requestedBy) return;
        await deps.notifier.ephemeral({
          channel: data.channel,
          user: data.requestedBy,
          text: `I could not post the ${data.digest} digest here. ${reason}`,
        });
      },
    });
  };
  const sync = { name: 'digest schedules', run: () => scheduler.sync(policy.digests) };
  const catchUp = {
    name: 'missed digest ticks',
    run: () => catchUpMissedTicks({ digests: policy.digests, log: posts, queue: scheduler, logger }),
  };
  return {
    monitoring,
    // Called with the finished deps: a digest due at start-up must find them.
    start: async (deps) => {
      if (!postsDigests) return;
      worker = createWorker(deps);
      await worker.start();
      await sync.run();
    },
    // Schedules come from the policy: re-synced in case Redis lost them, with the tick lost alongside.
    passes: postsDigests ? [sync, catchUp] : [],
    stop: async () => {
      await worker?.close();
      await scheduler.close();
    },
  };
}
