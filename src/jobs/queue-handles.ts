import type { Queue } from 'bullmq';
import { DIGEST_QUEUE } from './digest-scheduler.ts';
import { INCIDENT_TIMER_QUEUE } from './incident-timers.ts';
import { LazyQueue } from './lazy-queue.ts';
import { RUN_QUEUE_NAME } from './run-queue.ts';
import type { Logger } from '../logger.ts';
import type { Redis } from '../redis/redis-connection.ts';

/** Every BullMQ queue the bot runs: what the metrics count and the queue dashboard shows. */
export const QUEUE_NAMES = [RUN_QUEUE_NAME, INCIDENT_TIMER_QUEUE, DIGEST_QUEUE] as const;

/** A queue to look at: the metrics count its jobs, the queue dashboard (Bull Board) shows it. */
export type QueueHandle = LazyQueue<unknown>;

/** An opened handle, as Bull Board takes it. */
export type OpenQueue = Queue;

/**
 * Handles on those queues for looking (counts, the dashboard), on the process's shared connection,
 * opened on first use: closing them leaves the connection to its owner.
 */
export function openQueues(
  connection: Redis,
  prefix: string,
  logger: Logger,
): { queues: QueueHandle[]; close: () => Promise<void> } {
  const queues = QUEUE_NAMES.map(
    (name) =>
      new LazyQueue<unknown>(name, { connection, prefix }, (err) =>
        logger.debug({ err, queue: name }, 'queue handle error'),
      ),
  );
  return { queues, close: async () => void (await Promise.all(queues.map((q) => q.close()))) };
}
