import type { Env } from './config/env.ts';
import type { Logger } from './logger.ts';
import type { Pool } from './store/database.ts';
import type { Redis } from './redis/redis-connection.ts';
import type { ActionDeps } from './handlers/core/action-deps.ts';
import { runKindsOf } from './handlers/core/start-run.ts';
import { windowRunKinds } from './handlers/maintenance/window-run.ts';
import { JobRuns } from './jobs/job-runs.ts';
import { finalReplyInTransaction, statusInTransaction } from './jobs/thread-progress.ts';
import { pauseMessageInTransaction } from './jobs/pause-message.ts';
import { RunPauseSweeper } from './jobs/run-pause-sweeper.ts';
import { escalatePauseToIncident } from './handlers/core/run-pause-escalation.ts';
import { RunCanceller, RunQueue, RunWorker, ThreadProgress } from './jobs/index.ts';
import { PgRunStore } from './store/pg-run-store.ts';
import { PgRunQueries } from './store/pg-run-queries.ts';
import { combineObservers, type RunObserver } from './jobs/run-events.ts';
import type { OutboxWriter } from './slack/slack-outbox.ts';
import type { ReconcilePass } from './jobs/reconciler.ts';
import type { Role } from './process-role.ts';

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
export function startJobs(options: {
  role: Role;
  env: Env;
  pool: Pool;
  redis: Redis;
  outbox: OutboxWriter;
  logger: Logger;
  settings?: JobSettings;
  /** Also told of every run event on this worker (metrics). */
  runObserver?: RunObserver;
}): { runs: JobRuns; start: (deps: ActionDeps) => Promise<void>; passes: ReconcilePass[]; stop: () => Promise<void> } {
  const { env, pool, redis, logger, settings = {} } = options;
  // The status message is written with the run, the final reply with the run's end, a pause's buttons
  // with the pause, each in its transaction; progress follows the events.
  const store = new PgRunStore(pool, {
    onCreated: statusInTransaction(options.outbox),
    onFinished: finalReplyInTransaction(options.outbox),
    onPauseChanged: pauseMessageInTransaction(options.outbox),
  });
  const observer = new ThreadProgress({ store, outbox: options.outbox, logger, statusWrittenWithRun: true });
  const queue = new RunQueue({
    connection: redis,
    prefix: env.REDIS_PREFIX,
    store,
    logger,
    observer,
    ...(settings.jobAttempts ? { jobAttempts: settings.jobAttempts } : {}),
    ...(settings.jobBackoffMs ? { jobBackoffMs: settings.jobBackoffMs } : {}),
  });
  const canceller = new RunCanceller({ store, redis, prefix: env.REDIS_PREFIX, queue, logger });
  const runs = new JobRuns(queue, canceller, new PgRunQueries(pool), store, options.outbox);
  const runsJobs = options.role === 'worker' || options.role === 'all';
  let worker: RunWorker<ActionDeps> | undefined;
  let pauses: RunPauseSweeper | undefined;
  // The worker executes the registry's resumable actions with the finished deps: created once they exist.
  const createWorker = (deps: ActionDeps) =>
    new RunWorker({
      connection: redis,
      prefix: env.REDIS_PREFIX,
      store,
      // The registry's resumable actions, and one kind per maintenance window of the policy.
      kinds: [...runKindsOf(deps.registry.actions), ...windowRunKinds(deps.maintenance.policy)],
      deps,
      logger,
      observer: options.runObserver ? combineObservers([observer, options.runObserver], logger) : observer,
      queue,
      concurrency: settings.concurrency ?? 16,
      ...(settings.lockDurationMs ? { lockDurationMs: settings.lockDurationMs } : {}),
      ...(settings.stalledIntervalMs ? { stalledIntervalMs: settings.stalledIntervalMs } : {}),
      ...(settings.stepRetryBudgetMs !== undefined ? { retry: { budgetMs: settings.stepRetryBudgetMs } } : {}),
    });
  return {
    runs,
    // Called with the finished deps: a run resumed at start-up needs them all.
    start: async (deps) => {
      if (!runsJobs) return;
      worker = createWorker(deps);
      // Undecided pauses past their expiry open an incident, on the deps' clock.
      pauses = new RunPauseSweeper({ store, escalate: escalatePauseToIncident(deps), now: deps.now, logger });
      await worker.start();
      // The queue an approval click enqueues its run on, opened now that the worker has loaded BullMQ:
      // its construction and Redis version check are off the first click's path (a web-only process
      // still opens it with its first run, so as not to load BullMQ at start).
      // Its Redis errors go to the queue's error handler, and again to the first enqueue.
      queue.open().catch(() => undefined);
    },
    passes: runsJobs
      ? [
          { name: 'runs', run: async () => worker?.reconcile() },
          { name: 'run-pauses', run: async () => pauses?.sweep() },
        ]
      : [],
    stop: async () => {
      await worker?.close();
      await queue.close();
    },
  };
}
