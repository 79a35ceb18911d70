import type { Env } from './config/env.ts';
import type { Logger } from './logger.ts';
import type { Pool } from './store/database.ts';
import type { Redis } from './redis/redis-connection.ts';
import type { ActionDeps } from './handlers/core/action-deps.ts';
import { runKinds } from './handlers/core/run-kinds.ts';
import { JobRuns } from './jobs/job-runs.ts';
import { finalReplyInTransaction } from './jobs/thread-progress.ts';
import { PgRunStore, RunCanceller, RunQueries, RunQueue, RunWorker, ThreadProgress } from './jobs/index.ts';
import type { PgSlackOutbox } from './store/pg-slack-outbox.ts';
import type { ReconcilePass } from './jobs/reconciler.ts';
import type { Role } from './start-bot.ts';

export interface JobSettings {
  /** Crash detection: a job whose lock is not renewed for this long is taken over by another worker. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How long a step's upstream failures are retried (rides out an API-server restart). */
  stepRetryBudgetMs?: number;
  /** Job-level tries and backoff for infrastructure failures; the reconciler takes over after them. */
  jobAttempts?: number;
  jobBackoffMs?: number;
  /** How often every worker rebuilds runs, timers and schedules from PostgreSQL. */
  reconcileIntervalMs?: number;
  /** Runs one worker process executes at once; runs mostly wait on the cluster and Slack. */
  concurrency?: number;
}

/** The job engine's timings from the environment; tests and the sandbox override them. */
export function jobSettingsFrom(env: Env): JobSettings {
  return {
    lockDurationMs: env.RUN_LOCK_DURATION_MS,
    stalledIntervalMs: env.RUN_STALLED_INTERVAL_MS,
    stepRetryBudgetMs: env.RUN_STEP_RETRY_BUDGET_MS,
  };
}

/** The run queue (every role that takes commands) and the run worker (worker and all roles). */
export async function startJobs(options: {
  role: Role;
  env: Env;
  pool: Pool;
  redis: Redis;
  outbox: PgSlackOutbox;
  deps: ActionDeps;
  logger: Logger;
  settings?: JobSettings;
}): Promise<{ runs: JobRuns; start: () => Promise<void>; passes: ReconcilePass[]; stop: () => Promise<void> }> {
  const { env, pool, redis, deps, logger, settings = {} } = options;
  // The final reply is written with the run's end, in its transaction; progress follows the events.
  const store = new PgRunStore(pool, finalReplyInTransaction(options.outbox));
  const observer = new ThreadProgress({ store, outbox: options.outbox, logger });
  const queue = new RunQueue({
    connection: redis, prefix: env.REDIS_PREFIX, store, logger, observer,
    ...(settings.jobAttempts ? { jobAttempts: settings.jobAttempts } : {}),
    ...(settings.jobBackoffMs ? { jobBackoffMs: settings.jobBackoffMs } : {}),
  });
  const canceller = new RunCanceller({ store, redis, prefix: env.REDIS_PREFIX, queue, logger });
  const runs = new JobRuns(runKinds, queue, canceller, new RunQueries(pool));
  let worker: RunWorker<ActionDeps> | undefined;
  if (options.role === 'worker' || options.role === 'all') {
    worker = new RunWorker({
      connection: redis,
      prefix: env.REDIS_PREFIX,
      store,
      kinds: [...runKinds],
      deps,
      logger,
      observer,
      queue,
      concurrency: settings.concurrency ?? 16,
      ...(settings.lockDurationMs ? { lockDurationMs: settings.lockDurationMs } : {}),
      ...(settings.stalledIntervalMs ? { stalledIntervalMs: settings.stalledIntervalMs } : {}),
      ...(settings.stepRetryBudgetMs !== undefined ? { retry: { budgetMs: settings.stepRetryBudgetMs } } : {}),
    });
  }
  const runWorker = worker;
  return {
    runs,
    // Called once every dependency of the run kinds is wired: a run resumed at start-up needs them all.
    start: async () => {
      await runWorker?.start();
    },
    passes: runWorker ? [{ name: 'runs', run: () => runWorker.reconcile() }] : [],
    stop: async () => {
      await worker?.close();
      await queue.close();
    },
  };
}
