import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { digestsSchema } from '../../src/config/monitoring-policy.ts';
import { DigestScheduler } from '../../src/jobs/digest-scheduler.ts';
import { createLogger } from '../../src/logger.ts';
import { isolate, type Isolation } from '../support/isolation.ts';

let isolation: Isolation;
let redis: Redis;
let scheduler: DigestScheduler;

beforeAll(() => {
  isolation = isolate('digest_scheduler');
  redis = new Redis(isolation.redisUrl, { maxRetriesPerRequest: null });
  scheduler = new DigestScheduler({
    connection: redis,
    prefix: isolation.redisPrefix,
    logger: createLogger({ level: 'silent' }),
  });
});
afterAll(async () => {
  await scheduler.close();
  redis.disconnect();
  await isolation.cleanup();
});

const digests = (list: unknown[]) => digestsSchema.parse(list);

describe('DigestScheduler.sync', () => {
  it('upserts the policy digests with their cron and time zone, and removes the ones it no longer runs', async () => {
    await scheduler.sync(
      digests([
        { name: 'daily', cron: '0 8 * * 1-5', timezone: 'Europe/London', channel: 'eafix-ops' },
        { name: 'weekly', cron: '0 9 * * 1', channel: 'eafix-ops' },
      ]),
    );
    const first = await scheduler.schedules();
    expect(first.map((s) => [s.id, s.pattern, s.tz]).sort()).toEqual([
      ['daily', '0 8 * * 1-5', 'Europe/London'],
      ['weekly', '0 9 * * 1', 'UTC'],
    ]);
    const daily = first.find((s) => s.id === 'daily');
    expect(daily?.next && daily.next.getTime() > Date.now()).toBe(true);

    // Same again (another replica starting): still one scheduler each.
    await scheduler.sync(
      digests([
        { name: 'daily', cron: '0 8 * * 1-5', timezone: 'Europe/London', channel: 'eafix-ops' },
        { name: 'weekly', cron: '0 9 * * 1', channel: 'eafix-ops' },
      ]),
    );
    expect(await scheduler.schedules()).toHaveLength(2);

    // weekly dropped from the policy, daily disabled, daily-eu new: only daily-eu stays.
    const result = await scheduler.sync(
      digests([
        { name: 'daily', cron: '0 8 * * 1-5', timezone: 'Europe/London', channel: 'eafix-ops', enabled: false },
        { name: 'daily-eu', cron: '30 7 * * *', timezone: 'Europe/Berlin', channel: 'eafix-ops' },
      ]),
    );
    expect(result.removed.sort()).toEqual(['digest-daily', 'digest-weekly']);
    expect((await scheduler.schedules()).map((s) => [s.id, s.tz])).toEqual([['daily-eu', 'Europe/Berlin']]);
  });

  it('keys an on-demand post by its request id, so a retried command is one job', async () => {
    const request = { digest: 'daily-eu', channel: 'eafix-ops', requestedBy: 'U0ALICE', requestId: 'req-1' };
    await scheduler.requestNow(request);
    await scheduler.requestNow(request);
    const jobs = await (await scheduler.queue.open()).getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(jobs.filter((j) => j.name === 'digest-now').map((j) => j.id)).toEqual(['digest-now-req-1']);
  });
});
