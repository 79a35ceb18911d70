import type { Job, Worker } from 'bullmq';
import { isAppError } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import { withTimeout } from '../redis/redis-connection.ts';
import { LazyQueue, loadBullmq, WORKER_DEFAULTS } from './lazy-queue.ts';
import type { Redis } from '../redis/redis-connection.ts';
import type { IncidentTimers, TimerJob } from '../handlers/incidents/incident-types.ts';

export const INCIDENT_TIMER_QUEUE = 'incident-timers';

/** `INC-20261123-003.escalate.2`: one job per incident, kind and level/sequence, whichever replica adds it. */
export const timerJobId = (job: TimerJob) => `${job.incidentId}.${job.kind}.${job.n}`;

/** How much later than asked an existing timer may be due before a re-schedule brings it forward. */
const DUE_TOLERANCE_MS = 1_000;

/** How a timer refused for good (a domain error) is marked in its failed reason: never run again. */
const REFUSED = 'refused: ';

/** Finished jobs are kept this long so their ids stay taken: a re-schedule of a fired escalation is a no-op. */
const KEEP_FINISHED_SECONDS = 7 * 24 * 3600;

export interface IncidentTimerOptions {
  connection: Redis;
  /** BullMQ's key prefix (REDIS_PREFIX), so deployments and test runs never share timers. */
  prefix: string;
  logger: Logger;
  queueName?: string;
  /** Tries of a fired timer (backing off from 1 s) before it waits for the reconciler to ask again; 5. */
  attempts?: number;
}

/** Schedules and cancels incident reminders, escalations and phase deadlines as BullMQ delayed jobs. */
export class IncidentTimerQueue implements IncidentTimers {
  readonly queue: LazyQueue<TimerJob>;

  constructor(private readonly options: IncidentTimerOptions) {
    this.queue = new LazyQueue<TimerJob>(
      options.queueName ?? INCIDENT_TIMER_QUEUE,
      {
        connection: options.connection,
        prefix: options.prefix,
        defaultJobOptions: {
          attempts: options.attempts ?? 5,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: { age: KEEP_FINISHED_SECONDS },
          removeOnFail: { age: KEEP_FINISHED_SECONDS },
        },
      },
      (err) => options.logger.warn({ err }, 'incident timer queue error'),
    );
  }

  /**
   * Schedules `job` `delayMs` from now. The due time is fixed when the delay is worked out (`timestamp`): an
   * add that waits out a Redis outage in the client's offline queue still fires when it should, not the
   * outage's length late. A timer already there under the same id keeps its place unless it is due later than
   * this ask says (it was worked out before the outage, from an older reading of the clock): it is brought
   * forward, never pushed back. One that failed for good runs again.
   */
  async schedule(job: TimerJob, delayMs: number): Promise<void> {
    const data: TimerJob = { incidentId: job.incidentId, kind: job.kind, n: job.n };
    const computedAt = Date.now();
    const delay = Math.max(0, Math.round(delayMs));
    const queue = await this.queue.open();
    const jobId = timerJobId(job);
    await queue.add(job.kind, data, { jobId, delay, timestamp: computedAt });
    const existing = await queue.getJob(jobId);
    if (!existing) return;
    // A timer whose job failed (PostgreSQL down through every attempt, or a worker killed twice during it)
    // is still owed, and its id is kept for days: asked again (the reconciler's rebuild), it runs again
    // with fresh attempts. One refused for good (retries would not change it) stays failed: no retry storm.
    if (await existing.isFailed()) {
      if (!existing.failedReason?.startsWith(REFUSED))
        await existing.retry('failed', { resetAttemptsMade: true }).catch(() => undefined);
      return;
    }
    const dueAt = computedAt + delay;
    if (existing.timestamp + (existing.delay ?? 0) <= dueAt + DUE_TOLERANCE_MS) return;
    if (!(await existing.isDelayed())) return;
    // It may be promoted (or run) between the two calls: then it is no longer delayed, and that is fine.
    const left = dueAt - Date.now();
    await (left > 0 ? existing.changeDelay(left) : existing.promote()).catch(() => undefined);
  }

  async cancel(jobs: TimerJob[]): Promise<void> {
    // A job already running cannot be removed; its handler re-reads the incident and stands down.
    if (jobs.length === 0) return;
    const queue = await this.queue.open();
    for (const job of jobs) await queue.remove(timerJobId(job)).catch(() => 0);
  }

  async close(timeoutMs = 5_000): Promise<void> {
    await withTimeout(this.queue.close(), timeoutMs, 'incident timer queue close').catch((err: unknown) => {
      this.options.logger.warn({ err }, 'incident timer queue did not close in time');
    });
  }
}

export interface IncidentTimerWorkerOptions extends IncidentTimerOptions {
  /** What a fired job does (IncidentService.onTimer). */
  handle: (job: TimerJob) => Promise<void>;
  concurrency?: number;
}

/** Runs fired incident timers. Each job runs on exactly one worker across replicas (BullMQ's lock). */
export class IncidentTimerWorker {
  private worker: Worker<TimerJob> | undefined;

  constructor(private readonly options: IncidentTimerWorkerOptions) {}

  async start(): Promise<void> {
    const { options } = this;
    const { Worker } = await loadBullmq();
    const worker = new Worker<TimerJob>(options.queueName ?? INCIDENT_TIMER_QUEUE, (job) => this.process(job), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 4,
      autorun: false,
      ...WORKER_DEFAULTS,
    });
    worker.on('error', (err) => options.logger.warn({ err }, 'incident timer worker error'));
    worker.on('failed', (job, err) =>
      options.logger.warn({ err, jobId: job?.id, attempts: job?.attemptsMade }, 'incident timer failed'),
    );
    this.worker = worker;
    void worker.run().catch((err: unknown) => options.logger.error({ err }, 'incident timer worker stopped'));
    await worker.waitUntilReady();
  }

  private async process(job: Job<TimerJob>): Promise<void> {
    try {
      await this.options.handle(job.data);
    } catch (error) {
      // Domain errors (a refused PagerDuty key) do not get better with retries.
      if (isAppError(error) && error.kind === 'domain') {
        const { UnrecoverableError } = await loadBullmq();
        throw new UnrecoverableError(`${REFUSED}${error.message}`);
      }
      throw error;
    }
  }

  async close(timeoutMs = 5_000): Promise<void> {
    if (!this.worker) return;
    await withTimeout(this.worker.close(), timeoutMs, 'incident timer worker close').catch((err: unknown) => {
      this.options.logger.warn({ err }, 'incident timer worker did not close in time');
    });
  }
}
