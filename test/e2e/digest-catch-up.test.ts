import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { loadPolicy } from '../../src/config/policy.ts';
import { digestsSchema } from '../../src/config/monitoring-policy.ts';
import { catchUpMissedTicks } from '../../src/jobs/digest-catch-up.ts';
import { DigestScheduler } from '../../src/jobs/digest-scheduler.ts';
import { createLogger } from '../../src/logger.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { PgDigestPosts } from '../../src/store/pg-digest-posts.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';

const logger = createLogger({ level: 'silent' });
// A daily digest whose time today was ten minutes ago (whole minutes, UTC).
const due = new Date(Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000);
const yesterday = new Date(due.getTime() - 24 * 3600_000);
let world: TestWorld;
let redis: Redis;
let scheduler: DigestScheduler;

beforeAll(async () => {
  const policy = await loadPolicy(examplePolicyPath);
  policy.digests = digestsSchema.parse([
    {
      name: 'morning',
      cron: `${due.getUTCMinutes()} ${due.getUTCHours()} * * *`,
      timezone: 'UTC',
      channel: 'eafix-ops',
      sections: ['platform'],
    },
  ]);
  world = await startWorld('digest_catch_up', { policy });
  redis = new Redis(world.env.REDIS_URL, { maxRetriesPerRequest: null });
  scheduler = new DigestScheduler({ connection: redis, prefix: world.env.REDIS_PREFIX, logger });
});
afterAll(async () => {
  await scheduler?.close();
  redis?.disconnect();
  await world?.stop();
});

describe('a digest tick lost with Redis', () => {
  it('is posted late, once, by the reconciler pass, and says it is late', async () => {
    const posts = new PgDigestPosts(world.bot.pool);
    // Yesterday's tick went out; today's job vanished with Redis before it ran.
    await world.bot.pool.query(
      `INSERT INTO digest_posts (digest, tick_key, channel, claimed_by, message_ts, posted_at) VALUES ('morning', $1, 'eafix-ops', 'yesterday', '1.0', now())`,
      [yesterday.toISOString()],
    );
    const before = world.slack.messages('eafix-ops').length;
    // Two workers' reconcilers see the same miss (the bot's own reconciler may be a third).
    await Promise.all([
      catchUpMissedTicks({ digests: world.policy.digests, log: posts, queue: scheduler, logger }),
      catchUpMissedTicks({ digests: world.policy.digests, log: posts, queue: scheduler, logger }),
    ]);

    await eventually(
      async () => (await posts.handled('morning', [due.toISOString()])).size === 1 || undefined,
      'the missed tick claimed',
    );
    await eventually(
      async () => {
        const row = (
          await world.bot.pool.query(`SELECT posted_at FROM digest_posts WHERE digest = 'morning' AND tick_key = $1`, [
            due.toISOString(),
          ])
        ).rows[0];
        return row?.posted_at ?? undefined;
      },
      'the missed tick posted',
      60_000,
    );
    const late = world.slack
      .messages('eafix-ops')
      .slice(before)
      .filter((m) => textOf(m.blocks).includes('posted late'));
    expect(late).toHaveLength(1);
    // Once posted, the pass finds nothing more to do.
    expect(await catchUpMissedTicks({ digests: world.policy.digests, log: posts, queue: scheduler, logger })).toEqual(
      [],
    );
  });
});
