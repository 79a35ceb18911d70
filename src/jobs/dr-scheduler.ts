/**
 * The Disaster Recovery schedules (daily backup verification, monthly DR drill) as BullMQ job
 * schedulers: one job per tick however many replicas upsert them. The job only says which schedule
 * ticked and when; the handler starts that tick's run, keyed by the tick, so a redelivered job or a
 * second replica never starts a second run.
 */
import type { Job, Worker } from 'bullmq';
import { isAppError } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import { withTimeout } from '../redis/redis-connection.ts';
import { LazyQueue, loadBullmq, WORKER_DEFAULTS } from './lazy-queue.ts';
import type { Redis } from '../redis/redis-connection.ts';

export const DR_QUEUE = 'dr-schedules';
const SCHEDULER_PREFIX = 'dr-';

export interface DrScheduleSpec {
  /** `verification` or `drill`. */
  name: string;
  cron: string;
  timezone: string;
  enabled: boolean;
}

interface DrJobData {
  schedule: string;
}

export interface DrSchedulerOptions {
  connection: Redis;
  prefix: string;
  logger: Logger;
  queueName?: string;
}

const jobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 200 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** Starts the tick's run; called with the schedule's name and the tick's due time. */
export type DrTickHandler = (schedule: string, due: Date) => Promise<void>;

export class DrScheduler {
  private readonly queue: LazyQueue<DrJobData>;
  private worker: Worker<DrJobData> | undefined;

  constructor(private readonly options: DrSchedulerOptions) {
    this.queue = new LazyQueue<DrJobData>(
      options.queueName ?? DR_QUEUE,
      { connection: options.connection, prefix: options.prefix },
      (err) => options.logger.warn({ err }, 'dr schedule queue error'),
    );
  }

  /** Makes BullMQ's schedulers match the policy (idempotent: every replica may call it). */
  async sync(specs: readonly DrScheduleSpec[]): Promise<void> {
    const queue = await this.queue.open();
    const wanted = specs.filter((s) => s.enabled);
    for (const spec of wanted) {
      await queue.upsertJobScheduler(
        `${SCHEDULER_PREFIX}${spec.name}`,
        { pattern: spec.cron, tz: spec.timezone },
        { name: 'dr-schedule', data: { schedule: spec.name }, opts: jobOptions },
      );
    }
    const keep = new Set(wanted.map((s) => `${SCHEDULER_PREFIX}${s.name}`));
    for (const existing of await queue.getJobSchedulers(0, -1)) {
      if (existing.key.startsWith(SCHEDULER_PREFIX) && !keep.has(existing.key))
        await queue.removeJobScheduler(existing.key);
    }
  }

  async start(handle: DrTickHandler): Promise<void> {
    const { options } = this;
    const { Worker, UnrecoverableError } = await loadBullmq();
    const worker = new Worker<DrJobData>(
      options.queueName ?? DR_QUEUE,
      async (job: Job<DrJobData>) => {
        const due = new Date((job.opts as { prevMillis?: number }).prevMillis ?? job.timestamp);
        try {
          await handle(job.data.schedule, due);
        } catch (error) {
          // A domain error (unknown schedule, bad policy) does not get better with retries.
          if (isAppError(error) && error.kind === 'domain') throw new UnrecoverableError(error.userMessage);
          throw error;
        }
      },
      { connection: options.connection, prefix: options.prefix, concurrency: 1, autorun: false, ...WORKER_DEFAULTS },
    );
    worker.on('error', (err) => options.logger.warn({ err }, 'dr schedule worker error'));
    worker.on('failed', (job, err) => options.logger.warn({ err, jobId: job?.id }, 'dr schedule tick failed'));
    this.worker = worker;
    void worker.run().catch((err: unknown) => options.logger.error({ err }, 'dr schedule worker stopped'));
    await worker.waitUntilReady();
  }

  async close(timeoutMs = 5_000): Promise<void> {
    const closing = [this.worker?.close(), this.queue.close()];
    await withTimeout(Promise.all(closing), timeoutMs, 'dr schedules close').catch((err: unknown) => {
      this.options.logger.warn({ err }, 'dr schedules did not close in time');
    });
  }
}
