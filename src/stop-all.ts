import type { Logger } from './logger.ts';
import { withTimeout } from './redis/redis-connection.ts';

/** What a process runs at shutdown, in order: what started last stops first, the connections last. */
export type ShutdownSteps = Array<() => Promise<unknown>>;

/** Stops each part in order, each bounded so a dead Redis or database never hangs shutdown. */
export async function stopAll(steps: ShutdownSteps, logger: Logger): Promise<void> {
  for (const stop of steps) {
    try {
      await withTimeout(stop(), 5_000, 'shutdown step');
    } catch (err) {
      logger.warn({ err }, 'shutdown step did not finish cleanly');
    }
  }
}
