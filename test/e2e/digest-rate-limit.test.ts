import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  // One post per twenty seconds per channel, no burst: the second post in a row is answered 429, however
  // slowly a busy machine gets the digest to its first attempt.
  world = await startWorld('digest_429', { rateLimits: { postMessagePerChannelPerSecond: 0.05, postMessageBurst: 1 } });
});
afterAll(async () => {
  await world?.stop();
});

describe('a digest post answered 429', () => {
  it('is retried after Retry-After and posted once', async () => {
    const opsId = world.slack.channelId(ops);
    await world.bot.deps.notifier.post({ channel: ops, text: 'someone else spoke first' });
    const callsBefore = world.slack.calls.length;
    await world.driver.command({ user: 'alice', channel: ops, text: 'digest daily' });

    const digest = await world.slack.waitFor(
      (emu) => emu.messages(ops).find((m) => textOf(m.blocks).includes('EAFIX daily digest')),
      { description: 'the digest after the rate limit', timeoutMs: 90_000 },
    );
    const postsToOps = () =>
      world.slack.calls
        .slice(callsBefore)
        .filter((c) => c.method === 'chat.postMessage' && [ops, opsId].includes(String(c.args.channel)));
    // The emulator records a call just after answering it.
    const posts = await eventually(
      async () => (postsToOps().some((c) => c.ok) ? postsToOps() : undefined),
      'the successful post to be recorded',
    );
    expect(posts[0]).toMatchObject({ status: 429, ok: false });
    expect(posts.filter((c) => c.ok)).toHaveLength(1);
    expect(world.slack.messages(ops).filter((m) => textOf(m.blocks).includes('EAFIX daily digest'))).toEqual([digest]);
    const row = await eventually(
      async () =>
        (await world.bot.pool.query(`SELECT message_ts FROM digest_posts WHERE posted_at IS NOT NULL`)).rows[0],
      'the post recorded',
    );
    expect(row.message_ts).toBe(digest.ts);
  });
});
