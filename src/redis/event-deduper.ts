import type { Redis } from './redis-connection.ts';
import { withTimeout } from './redis-connection.ts';
import type { Logger } from '../logger.ts';

/**
 * Remembers Events API event ids for an hour so Slack's retries (X-Slack-Retry-Num) of an event we
 * already took are acknowledged without being processed twice, whichever replica gets the retry.
 */
export class RedisEventDeduper {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  /** True the first time an id is seen. If Redis cannot answer, the event is processed (fail open:
   * a duplicate read-only event is better than a lost one; mutating work is de-duplicated by job ids). */
  async firstSighting(eventId: string): Promise<boolean> {
    try {
      const set = await withTimeout(this.redis.set(`${this.prefix}:slack-event:${eventId}`, '1', 'EX', 3600, 'NX'), 500, 'redis');
      return set === 'OK';
    } catch (err) {
      this.logger.warn({ err, eventId }, 'event de-duplication unavailable');
      return true;
    }
  }
}
