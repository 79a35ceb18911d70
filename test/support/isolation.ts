import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** A schema and a Redis key prefix of this test file's own, dropped again when it is done. */
export interface Isolation {
  databaseUrl: string;
  redisUrl: string;
  schema: string;
  redisPrefix: string;
  cleanup(): Promise<void>;
}

export function isolate(label: string): Isolation {
  const runId = inject('runId');
  const suffix = randomBytes(3).toString('hex');
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 20);
  const schema = `t_${runId}_${safe}_${suffix}`;
  const redisPrefix = `eafix-test:${runId}:${safe}:${suffix}`;
  const databaseUrl = inject('databaseUrl');
  const redisUrl = inject('redisUrl');
  return {
    databaseUrl,
    redisUrl,
    schema,
    redisPrefix,
    async cleanup() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}
