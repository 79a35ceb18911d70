import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

export type { Redis };

/**
 * A Redis connection for BullMQ and the bot's own keys. `maxRetriesPerRequest: null` is what BullMQ
 * workers require; commands issued while Redis is down wait for reconnection instead of failing.
 * Callers that must not wait (health checks) bound the wait themselves.
 */
export function createRedis(url: string, logger: Logger, name: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: `eafix-${name}`,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
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
