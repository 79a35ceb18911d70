import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

export type { Redis };

/**
 * A Redis connection for BullMQ and the bot's own keys. `maxRetriesPerRequest: null` is what BullMQ
 * workers require; commands issued while Redis is down wait for reconnection instead of failing.
 * Callers that must not wait (health checks) bound the wait themselves.
 */
export function createRedis(
  url: string,
  logger: Logger,
  name: string,
  /** Commands sent in one event-loop turn share one write (a connection that only many small, independent commands use). */
  options: { autoPipelining?: boolean } = {},
): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: `eafix-${name}`,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
    enableAutoPipelining: options.autoPipelining ?? false,
  });
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
