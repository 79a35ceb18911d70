import { Queue } from 'bullmq';
import { DIGEST_QUEUE } from './digest-scheduler.ts';
import { INCIDENT_TIMER_QUEUE } from './incident-timers.ts';
import { RUN_QUEUE_NAME } from './run-queue.ts';
import type { Logger } from '../logger.ts';
import type { Redis } from '../redis/redis-connection.ts';

/** Every BullMQ queue the bot runs: what the metrics count and the queue dashboard shows. */
export const QUEUE_NAMES = [RUN_QUEUE_NAME, INCIDENT_TIMER_QUEUE, DIGEST_QUEUE] as const;

/** A queue to look at: the metrics count its jobs, the queue dashboard (Bull Board) shows it. */
export type QueueHandle = Queue;

/**
 * Handles on those queues for looking (counts, the dashboard), on the process's shared connection:
 * closing them leaves the connection to its owner.
 */
export function openQueues(
  connection: Redis,
  prefix: string,
  logger: Logger,
): { queues: QueueHandle[]; close: () => Promise<void> } {
  const queues = QUEUE_NAMES.map((name) => new Queue(name, { connection, prefix }));
  // A queue re-emits its connection's errors: unheard, one Redis outage would crash the process.
  for (const queue of queues)
    queue.on('error', (err) => logger.debug({ err, queue: queue.name }, 'queue handle error'));
  return { queues, close: async () => void (await Promise.all(queues.map((q) => q.close()))) };
}
