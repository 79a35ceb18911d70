import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { SentinelSettings } from '../config/data-store-env.ts';

export type { Redis };

/**
 * A Redis connection for BullMQ and the bot's own keys. `maxRetriesPerRequest: null` is what BullMQ
 * workers require; commands issued while Redis is down wait for reconnection instead of failing.
 * Callers that must not wait (health checks) bound the wait themselves.
 *
 * With `sentinel`, the master is asked of the Sentinels, and asked again whenever the connection drops
 * or a Sentinel announces a failover (`+switch-master`); BullMQ's own connections are duplicates of
 * this one and follow it. Commands issued during the failover wait, as during any reconnection.
 */
export function createRedis(
  url: string,
  logger: Logger,
  name: string,
  sentinel?: SentinelSettings,
  /** Commands sent in one event-loop turn share one write (a connection that only many small, independent commands use). */
  connection: { autoPipelining?: boolean } = {},
): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    connectionName: `eafix-${name}`,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
    ...(sentinel
      ? {
          sentinels: sentinel.sentinels,
          name: sentinel.name,
          ...(sentinel.password ? { sentinelPassword: sentinel.password } : {}),
          // Told of a failover by the Sentinels at once, instead of when the old master stops answering.
          failoverDetector: true,
          sentinelRetryStrategy: (times: number) => Math.min(times * 200, 2_000),
          // A master demoted to replica answers READONLY to writes: reconnect, which asks the Sentinels again.
          reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
        }
      : {}),
    enableAutoPipelining: connection.autoPipelining ?? false,
  };
  const redis = new Redis(url, options);
  let lastError = '';
  redis.on('error', (err: Error) => {
    // ioredis repeats the same error on every reconnect attempt; log each distinct one once.
    if (err.message !== lastError) logger.warn({ err, connection: name }, 'redis connection error');
    lastError = err.message;
  });
  redis.on('ready', () => {
    lastError = '';
  });
  return redis;
}

/** Resolves with the operation's result or rejects after `ms`; a check must never hang. */
export function withTimeout<T>(operation: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
}

/** Deletes every key under a prefix (a finished sandbox script's queues and markers). */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
