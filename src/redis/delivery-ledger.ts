import type { Redis } from './redis-connection.ts';
import { withTimeout } from './redis-connection.ts';

/** Replay protection's first choice: one `SET NX` per delivery key, shared by every replica. */
export class RedisDeliveryLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Longer than Slack's 5-minute signature window, so a replay always finds its key. */
    private readonly ttlSeconds: number,
    private readonly timeoutMs = 500,
  ) {}

  /** True the first time a key is seen; throws when Redis cannot answer in time. */
  async firstSighting(key: string): Promise<boolean> {
    const set = await withTimeout(
      this.redis.set(`${this.prefix}:slack-delivery:${key}`, '1', 'EX', this.ttlSeconds, 'NX'),
      this.timeoutMs,
      'redis',
    );
    return set === 'OK';
  }
}
