import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createPool, migrate, type Pool } from '../../src/store/database.ts';
import { PgPlatformState } from '../../src/store/pg-platform-state.ts';
import { isolate } from '../support/isolation.ts';

const isolation = isolate('platform_state');
const logger = createLogger({ level: 'silent' });
let pool: Pool;
let queries = 0;
let state: PgPlatformState;

beforeAll(async () => {
  pool = createPool({ url: isolation.databaseUrl, schema: isolation.schema }, logger);
  await migrate(pool, isolation.schema, logger);
  // The real pool, with its plain queries counted (transactions go through connect()).
  const counted = new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver);
      return (...args: Parameters<Pool['query']>) => {
        queries += 1;
        return (target.query as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
  state = new PgPlatformState(counted);
});
afterAll(async () => {
  await pool.end();
  await isolation.cleanup();
});

describe('PgPlatformState', () => {
  it('answers concurrent reads of one switch with one query', async () => {
    const before = queries;
    const answers = await Promise.all(Array.from({ length: 20 }, () => state.get('trading', { state: 'running' })));
    expect(queries - before).toBe(1);
    expect(answers.every((a) => (a.value as { state: string }).state === 'running')).toBe(true);
  });

  it('keeps no finished result: the next read queries again', async () => {
    const before = queries;
    await state.get('trading', { state: 'running' });
    await state.get('trading', { state: 'running' });
    expect(queries - before).toBe(2);
  });

  it('shows a change to every read made after it, even with a read in flight when it started', async () => {
    const inFlight = state.get('maintenance', { enabled: false });
    expect(await state.compareAndSet('maintenance', { enabled: false }, { enabled: true }, 'U0ALICE', 'req_1')).toBe(
      true,
    );
    await inFlight;
    expect((await state.get('maintenance', { enabled: false })).value).toEqual({ enabled: true });
    expect(await state.compareAndSet('maintenance', { enabled: false }, { enabled: true }, 'U0BOB', 'req_2')).toBe(
      false,
    );
  });
});
