import type { DigestSpec } from '../config/monitoring-policy.ts';
import type { DigestPublisher, DigestRequest, ScheduleInfo } from '../handlers/monitoring/monitoring-deps.ts';
import type { Logger } from '../logger.ts';
import type { CatchUpQueue, MissedTick } from './digest-catch-up.ts';
import { withTimeout } from '../redis/redis-connection.ts';
import { LazyQueue } from './lazy-queue.ts';
import type { Redis } from '../redis/redis-connection.ts';

export const DIGEST_QUEUE = 'digests';
const SCHEDULER_PREFIX = 'digest-';

/** Ids only: the worker reads the digest's definition from the policy and the world as it is then. */
export interface DigestJobData {
  digest: string;
  /** On-demand posts: where, for whom, and the request id the post is keyed by. */
  channel?: string;
  requestedBy?: string;
  requestId?: string;
  /** A missed scheduled tick posted late: its due time (ISO), the same tick key the scheduler's job had. */
  tickAt?: string;
}

export const schedulerId = (digest: string) => `${SCHEDULER_PREFIX}${digest}`;

const jobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  // Postgres keeps which ticks were posted; Redis only needs recent jobs for inspection.
  removeOnComplete: { age: 24 * 3600, count: 500 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export interface DigestSchedulerOptions {
  connection: Redis;
  /** BullMQ's key prefix (REDIS_PREFIX). */
  prefix: string;
  logger: Logger;
  queueName?: string;
}

/** The digest queue: BullMQ job schedulers for the policy's digests, and on-demand posts. */
export class DigestScheduler implements DigestPublisher, CatchUpQueue {
  readonly queue: LazyQueue<DigestJobData>;

  constructor(private readonly options: DigestSchedulerOptions) {
    this.queue = new LazyQueue<DigestJobData>(
      options.queueName ?? DIGEST_QUEUE,
      { connection: options.connection, prefix: options.prefix },
      (err) => options.logger.warn({ err }, 'digest queue error'),
    );
  }

  /**
   * Makes BullMQ's schedulers match the policy: upserts each enabled digest (idempotent, so every replica
   * may do it at start-up; BullMQ still makes one job per tick) and removes schedulers the policy no
   * longer declares or has disabled.
   */
  async sync(digests: readonly DigestSpec[]): Promise<{ upserted: string[]; removed: string[] }> {
    const queue = await this.queue.open();
    const wanted = digests.filter((d) => d.enabled);
    for (const digest of wanted) {
      await queue.upsertJobScheduler(
        schedulerId(digest.name),
        { pattern: digest.cron, tz: digest.timezone },
        { name: 'digest', data: { digest: digest.name }, opts: jobOptions },
      );
    }
    const keep = new Set(wanted.map((d) => schedulerId(d.name)));
    const removed: string[] = [];
    for (const existing of await queue.getJobSchedulers(0, -1)) {
      const id = existing.key;
      if (id.startsWith(SCHEDULER_PREFIX) && !keep.has(id)) {
        await queue.removeJobScheduler(id);
        removed.push(id);
      }
    }
    const upserted = wanted.map((d) => d.name);
    this.options.logger.debug({ upserted, removed }, 'digest schedules synced');
    return { upserted, removed };
  }

  async requestNow(request: DigestRequest): Promise<void> {
    const data: DigestJobData = {
      digest: request.digest,
      channel: request.channel,
      requestedBy: request.requestedBy,
      requestId: request.requestId,
    };
    // jobId from the request id: a retried slash command never posts twice.
    await (
      await this.queue.open()
    ).add('digest-now', data, { ...jobOptions, jobId: `digest-now-${request.requestId}` });
  }

  async catchUp(tick: MissedTick): Promise<void> {
    const data: DigestJobData = { digest: tick.digest, tickAt: tick.due.toISOString() };
    // One job per missed tick whichever worker's reconciler saw it first (job ids may not contain ':').
    await (
      await this.queue.open()
    ).add('digest-catch-up', data, {
      ...jobOptions,
      jobId: `digest-catch-up-${tick.digest}-${tick.due.getTime()}`,
    });
  }

  async schedules(): Promise<ScheduleInfo[]> {
    const all = await (await this.queue.open()).getJobSchedulers(0, -1, true);
    return all
      .filter((s) => s.key.startsWith(SCHEDULER_PREFIX))
      .map((s) => ({
        id: s.key.slice(SCHEDULER_PREFIX.length),
        pattern: s.pattern,
        tz: s.tz,
        every: s.every,
        next: s.next === undefined ? undefined : new Date(Number(s.next)),
      }));
  }

  async close(timeoutMs = 5_000): Promise<void> {
    await withTimeout(this.queue.close(), timeoutMs, 'digest queue close').catch((err: unknown) => {
      this.options.logger.warn({ err }, 'digest queue did not close in time');
    });
  }
}
