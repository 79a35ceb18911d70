import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/logger.ts';
import { createPool, migrate, type Pool } from '../../src/store/database.ts';
import { PgDeliveryLedger } from '../../src/store/pg-delivery-ledger.ts';
import { RedisDeliveryLedger } from '../../src/redis/delivery-ledger.ts';
import { ReplayGuard } from '../../src/bot/replay-guard.ts';
import { isolate } from '../support/isolation.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

const isolation = isolate('replay_guard');
const logger = createLogger({ level: 'silent' });
let pool: Pool;
let deadPool: Pool;
let redis: Redis;
let proxy: TcpProxy;

beforeAll(async () => {
  pool = createPool({ url: isolation.databaseUrl, schema: isolation.schema }, logger);
  await migrate(pool, isolation.schema, logger);
  const target = new URL(isolation.redisUrl);
  proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  await proxy.start();
  // Without an offline queue, a command sent during the outage is lost rather than replayed into Redis
  // on reconnect, so the test shows the PostgreSQL cross-check itself catching the replay.
  redis = new Redis({ host: '127.0.0.1', port: proxy.port, enableOfflineQueue: false, retryStrategy: () => 50 });
  redis.on('error', () => undefined);
  deadPool = createPool({ url: 'postgres://postgres@127.0.0.1:1/none', schema: 'none' }, logger);
});
afterAll(async () => {
  redis.disconnect();
  await proxy.stop();
  await deadPool.end();
  await pool.end();
  await isolation.cleanup();
});

const guard = (postgres: Pool, now: () => number = Date.now) =>
  new ReplayGuard(
    new RedisDeliveryLedger(redis, isolation.redisPrefix, 1200, 200),
    new PgDeliveryLedger(postgres, 1200),
    logger,
    1_200_000,
    now,
  );

describe('ReplayGuard on real Redis and PostgreSQL', () => {
  it('takes a key once while Redis is up', async () => {
    const g = guard(pool);
    expect(await g.check('trigger:a')).toBe('first');
    expect(await g.check('trigger:a')).toBe('duplicate');
  });

  it('falls back to PostgreSQL while Redis is down, and still catches that key after Redis returns', async () => {
    const g = guard(pool);
    proxy.cut();
    await expect.poll(() => redis.status, { timeout: 10_000 }).not.toBe('ready');
    expect(await g.check('trigger:b')).toBe('first');
    expect(await g.check('trigger:b')).toBe('duplicate');
    proxy.restore();
    // Redis has never seen trigger:b; the recent fallback makes the guard ask PostgreSQL too.
    await expect.poll(() => redis.ping().catch(() => 'down'), { timeout: 10_000 }).toBe('PONG');
    expect(await g.check('trigger:b')).toBe('duplicate');
  });

  it('says it cannot tell when neither Redis nor PostgreSQL answers (callers fail closed)', async () => {
    const g = guard(deadPool);
    proxy.cut();
    await expect.poll(() => redis.status, { timeout: 10_000 }).not.toBe('ready');
    try {
      expect(await g.check('trigger:c')).toBe('unverifiable');
    } finally {
      proxy.restore();
    }
  });

  it('cannot vouch, while Redis is down, for a delivery signed before it failed (Redis alone may have seen it)', async () => {
    await expect.poll(() => redis.ping().catch(() => 'down'), { timeout: 10_000 }).toBe('PONG');
    const signedAt = Date.now();
    expect(await guard(pool).check('trigger:d', signedAt)).toBe('first');
    proxy.cut();
    try {
      await expect.poll(() => redis.status, { timeout: 10_000 }).not.toBe('ready');
      // The same request replayed to a replica during the outage: PostgreSQL never saw it.
      const replica = guard(pool);
      expect(await replica.check('trigger:d', signedAt)).toBe('unverifiable');
      expect(await replica.check('trigger:e', Date.now() + 1_000)).toBe('first');
    } finally {
      proxy.restore();
    }
  });

  it('writes the keys it took while Redis was down into Redis once it returns, for replicas that never fell back', async () => {
    const fellBack = guard(pool);
    proxy.cut();
    await expect.poll(() => redis.status, { timeout: 10_000 }).not.toBe('ready');
    expect(await fellBack.check('trigger:f', Date.now() + 1_000)).toBe('first');
    proxy.restore();
    // Offered again every second while Redis is away: no further request is needed.
    await expect
      .poll(() => redis.exists(`${isolation.redisPrefix}:slack-delivery:trigger:f`).catch(() => 0), { timeout: 10_000 })
      .toBe(1);
    expect(await guard(pool).check('trigger:f', Date.now())).toBe('duplicate');
  });
});
