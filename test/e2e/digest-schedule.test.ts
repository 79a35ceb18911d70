import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/config/policy.ts';
import { digestsSchema } from '../../src/config/monitoring-policy.ts';
import { createLogger } from '../../src/logger.ts';
import { postDigest } from '../../src/handlers/monitoring/digest-post.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { PgDigestPosts } from '../../src/store/pg-digest-posts.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';

const ops = 'eafix-ops';
const logger = createLogger({ level: 'silent' });
let world: TestWorld;
let replica: RunningBot;

beforeAll(async () => {
  const policy = await loadPolicy(examplePolicyPath);
  // A digest every second, so a test sees several ticks.
  policy.digests = digestsSchema.parse([
    { name: 'tick', cron: '* * * * * *', timezone: 'UTC', channel: ops, sections: ['platform', 'runs'] },
  ]);
  world = await startWorld('digest_ticks', { policy });
  // A second bot on the same database, Redis prefix, Slack and cluster: two digest workers, two schedule syncs.
  replica = await startBot({
    env: world.env,
    policy: world.policy,
    logger,
    role: 'all',
    host: '127.0.0.1',
    kubeConfig: world.cluster.kubeConfig(),
  });
});
afterAll(async () => {
  await replica?.stop();
  await world?.stop();
});

const TICK = /Scheduled for <!date\^\d+\^[^|]*\|([^>]+)>/;
const tickOfMessage = (blocks: unknown) => TICK.exec(textOf(blocks))?.[1];

describe('scheduled digests with two workers', () => {
  it('post exactly once per tick', async () => {
    const posted = await eventually(
      async () => {
        const rows = (
          await world.bot.pool.query<{ tick_key: string }>(
            `SELECT tick_key FROM digest_posts WHERE digest = 'tick' AND posted_at IS NOT NULL ORDER BY tick_key`,
          )
        ).rows;
        return rows.length >= 3 ? rows.map((r) => r.tick_key) : undefined;
      },
      'three scheduled ticks to be posted',
      20_000,
    );
    // The first two ticks are long done once a third is posted: each is in the channel exactly once.
    const byTick = new Map<string, number>();
    for (const message of world.slack.messages(ops)) {
      const tick = tickOfMessage(message.blocks);
      if (tick) byTick.set(tick, (byTick.get(tick) ?? 0) + 1);
    }
    for (const tick of posted.slice(0, 2)) expect(byTick.get(tick), tick).toBe(1);
    expect([...byTick.values()].every((n) => n === 1)).toBe(true);
    // Both replicas synced the same scheduler: BullMQ holds one.
    const schedules = await world.bot.deps.monitoring!.publisher.schedules();
    expect(schedules.map((s) => s.id)).toEqual(['tick']);
  });

  it('post once even when two jobs carry the same tick (the Postgres claim, not only BullMQ)', async () => {
    const poster = world.bot.deps.notifier;
    const posts = new PgDigestPosts(world.bot.pool);
    const tickKey = `2020-01-01T00:00:0${randomBytes(1)[0]! % 10}.000Z`;
    const tick = (claimer: string) => ({
      digest: 'tick',
      tickKey,
      claimer,
      channel: 'security',
      scheduledAt: new Date(tickKey),
    });
    const outcomes = await Promise.all([
      postDigest(world.bot.deps, poster, posts, tick('job-a'), logger),
      postDigest(replica.deps, poster, new PgDigestPosts(replica.pool), tick('job-b'), logger),
    ]);
    expect(outcomes.filter((o) => o.posted)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.posted)).toEqual([{ posted: false, why: 'claimed-by-another' }]);
    // The claimer's own retry (a 429 or a crash before marking) may post; once posted, nobody may.
    const again = await postDigest(world.bot.deps, poster, posts, tick('job-a'), logger);
    expect(again).toEqual({ posted: false, why: 'already-posted' });
    expect(world.slack.messages('security').filter((m) => tickOfMessage(m.blocks) === tickKey)).toHaveLength(1);
  });
});
