import type { Job, Worker } from 'bullmq';
import { isAppError } from '../app-error.ts';
import type { DigestTick } from '../handlers/monitoring/digest-post.ts';
import type { Logger } from '../logger.ts';
import { withTimeout } from '../redis/redis-connection.ts';
import type { Redis } from '../redis/redis-connection.ts';
import { isSlackRateLimited } from '../slack/slack-poster.ts';
import { DIGEST_QUEUE, type DigestJobData } from './digest-scheduler.ts';
import { loadBullmq, WORKER_DEFAULTS } from './lazy-queue.ts';

export interface DigestWorkerOptions {
  connection: Redis;
  prefix: string;
  logger: Logger;
  /** Makes the post (postDigest with its deps bound). */
  post: (tick: DigestTick) => Promise<unknown>;
  /** Told when an on-demand post is given up, so the requester hears why. */
  onGaveUp?: (data: DigestJobData, reason: string) => Promise<void>;
  queueName?: string;
  concurrency?: number;
}

/** The tick a job stands for: BullMQ gives scheduler jobs their due time in `prevMillis`. */
export function tickOf(job: Job<DigestJobData>): DigestTick {
  const data = job.data;
  if (data.requestId) {
    return {
      digest: data.digest,
      tickKey: `request:${data.requestId}`,
      claimer: job.id ?? data.requestId,
      channel: data.channel,
      requestedBy: data.requestedBy,
    };
  }
  const due = new Date(data.tickAt ?? (job.opts as { prevMillis?: number }).prevMillis ?? job.timestamp);
  return {
    digest: data.digest,
    tickKey: due.toISOString(),
    claimer: job.id ?? due.toISOString(),
    scheduledAt: due,
    late: data.tickAt !== undefined,
  };
}

/** Posts digests. A Slack 429 puts the job back for Retry-After without spending an attempt. */
export class DigestWorker {
  private worker: Worker<DigestJobData> | undefined;

  constructor(private readonly options: DigestWorkerOptions) {}

  async start(): Promise<void> {
    const { options } = this;
    const { Worker, UnrecoverableError } = await loadBullmq();
    const worker = new Worker<DigestJobData>(
      options.queueName ?? DIGEST_QUEUE,
      (job, token) => this.process(job, token),
      {
        connection: options.connection,
        prefix: options.prefix,
        concurrency: options.concurrency ?? 2,
        autorun: false,
        ...WORKER_DEFAULTS,
      },
    );
    worker.on('error', (err) => options.logger.warn({ err }, 'digest worker error'));
    worker.on('failed', (job, err) => {
      options.logger.warn({ err, jobId: job?.id, attempts: job?.attemptsMade }, 'digest post failed');
      const unrecoverable = err instanceof UnrecoverableError;
      const final = job && (unrecoverable || job.attemptsMade >= (job.opts.attempts ?? 1));
      if (final && job.data.requestId && options.onGaveUp) {
        // Unrecoverable errors carry an AppError's userMessage; anything else stays in the log.
        const reason = unrecoverable ? err.message : 'Posting kept failing; the bot log has the details.';
        options
          .onGaveUp(job.data, reason)
          .catch((e: unknown) => options.logger.warn({ err: e }, 'could not tell the requester'));
      }
    });
    this.worker = worker;
    void worker.run().catch((err: unknown) => options.logger.error({ err }, 'digest worker stopped'));
    await worker.waitUntilReady();
  }

  private async process(job: Job<DigestJobData>, token: string | undefined): Promise<void> {
    const { DelayedError, UnrecoverableError } = await loadBullmq();
    try {
      await this.options.post(tickOf(job));
    } catch (error) {
      if (isSlackRateLimited(error)) {
        this.options.logger.info(
          { jobId: job.id, retryAfterMs: error.retryAfterMs },
          'digest post rate limited; retrying after Retry-After',
        );
        await job.moveToDelayed(Date.now() + error.retryAfterMs, token);
        throw new DelayedError();
      }
      // Domain errors (unknown digest, channel not found) do not get better with retries.
      if (isAppError(error) && error.kind === 'domain') throw new UnrecoverableError(error.userMessage);
      throw error;
    }
  }

  async close(timeoutMs = 5_000): Promise<void> {
    if (!this.worker) return;
    await withTimeout(this.worker.close(), timeoutMs, 'digest worker close').catch((err: unknown) => {
      this.options.logger.warn({ err }, 'digest worker did not close in time');
    });
  }
}
