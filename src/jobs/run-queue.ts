import type { Logger } from '../logger.ts';
import { LazyQueue } from './lazy-queue.ts';
import { withTimeout } from '../redis/redis-connection.ts';
import type { Redis } from '../redis/redis-connection.ts';
import type { CreatedRun, NewRun, RunStore } from './run-store.ts';
import type { AnyRunKind } from './run-definition.ts';
import { notify } from './run-events.ts';
import type { RecordAuditWith } from '../audit/audit-log.ts';
import type { RunObserver } from './run-events.ts';

export const RUN_QUEUE_NAME = 'runs';

/** Ids only: the worker reloads everything else from Postgres. */
export interface RunJobData {
  runId: string;
  requestId: string;
}

export interface RunQueueOptions {
  connection: Redis;
  /** BullMQ's own key prefix (not ioredis keyPrefix, which BullMQ does not support). */
  prefix: string;
  store: RunStore;
  logger: Logger;
  /** Told of `queued` runs; in the web process this posts the status message before the job exists. */
  observer?: RunObserver;
  queueName?: string;
  /** Job-level tries, for infrastructure failures (Postgres or Redis lost mid-run); steps retry on their own. */
  jobAttempts?: number;
  jobBackoffMs?: number;
}

/** Creates runs and puts them on the BullMQ queue, with jobId = runId so enqueueing twice is a no-op. */
export class RunQueue {
  readonly queue: LazyQueue<RunJobData>;

  constructor(private readonly options: RunQueueOptions) {
    this.queue = new LazyQueue<RunJobData>(
      options.queueName ?? RUN_QUEUE_NAME,
      {
        connection: options.connection,
        prefix: options.prefix,
        defaultJobOptions: {
          attempts: options.jobAttempts ?? 5,
          backoff: { type: 'exponential', delay: options.jobBackoffMs ?? 2_000 },
          // Postgres keeps the history. Removing finished jobs lets a run be enqueued again later (a
          // handed-over target, a recovery sweep): the worker then finds it over and does nothing.
          removeOnComplete: true,
          removeOnFail: true,
        },
      },
      (err) => options.logger.warn({ err }, 'run queue error'),
    );
  }

  /**
   * Creates the run (idempotent on `idempotencyKey`; with the audit rows `recordWith` holds in its
   * transaction), reports it queued, and enqueues it unless it must wait for its target. Throws
   * AppError('target_busy') when the target is busy and the kind refuses; a failed enqueue once the run
   * is recorded is logged, not thrown (the reconciler enqueues the run).
   */
  async submit(kind: AnyRunKind, request: NewRun, recordWith?: RecordAuditWith): Promise<CreatedRun> {
    const created = await this.options.store.createRun(kind, request, recordWith);
    if (created.created) {
      await notify(
        this.options.observer,
        { type: 'queued', runId: created.run.id, waitingFor: created.waitingFor },
        this.options.logger,
      );
    }
    if (created.startable) {
      try {
        await this.enqueue(created.run.id, created.run.requestId);
      } catch (err) {
        // The run is recorded, with its status message: it will run (the reconciler enqueues a queued run
        // that has no job), so the caller must not report it failed, nor ask for it again.
        this.options.logger.warn(
          { err, runId: created.run.id },
          'run recorded but not enqueued (Redis refused); the reconciler will enqueue it',
        );
      }
    }
    return created;
  }

  /** Opens the BullMQ queue now (it is otherwise opened by the first enqueue). */
  async open(): Promise<void> {
    await this.queue.open();
  }

  async enqueue(runId: string, requestId: string): Promise<void> {
    await (await this.queue.open()).add('run', { runId, requestId }, { jobId: runId });
  }

  /** The BullMQ state of a run's job; undefined when there is none. */
  async jobState(runId: string): Promise<string | undefined> {
    const job = await (await this.queue.open()).getJob(runId);
    if (!job) return undefined;
    const state = await job.getState();
    return state === 'unknown' ? undefined : state;
  }

  async removeJob(runId: string): Promise<void> {
    await (await this.queue.open()).remove(runId);
  }

  async close(timeoutMs = 5_000): Promise<void> {
    await withTimeout(this.queue.close(), timeoutMs, 'run queue close').catch((err: unknown) => {
      this.options.logger.warn({ err }, 'run queue did not close in time');
    });
  }
}
