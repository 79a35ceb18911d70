import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/logger.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import type { Env } from '../../src/config/env.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { eventually } from '../support/eventually.ts';

const ops = 'eafix-ops';
let world: TestWorld;
const bots: RunningBot[] = [];

/** Another process of the bot beside the world's (stopped after the file's tests). */
async function startProcess(role: 'web' | 'worker', env: Env = world.env): Promise<RunningBot> {
  const bot = await startBot({
    env,
    policy: world.policy,
    logger: createLogger({ level: 'silent' }),
    role,
    host: '127.0.0.1',
    kubeConfig: world.cluster.kubeConfig(),
  });
  bots.push(bot);
  return bot;
}

beforeAll(async () => {
  // Web only: the digest worker starts in the tests.
  world = await startWorld('start_up_order', { role: 'web' });
});
afterAll(async () => {
  for (const bot of bots) await bot.stop();
  await world?.stop();
});

const digestsIn = (channel: string) =>
  world.slack.messages(channel).filter((m) => textOf(m.blocks).includes('digest —'));

describe('start-up order', () => {
  it('a digest already due when a worker starts is posted: the worker starts only once monitoring is wired', async () => {
    const before = digestsIn(ops).length;
    await world.bot.deps.monitoring!.publisher.requestNow({
      digest: 'daily',
      channel: world.slack.channelId(ops),
      requestedBy: 'U0ALICE',
      requestId: 'req_due_at_start',
    });
    await startProcess('worker');
    const posted = await world.slack.waitFor(
      () => (digestsIn(ops).length > before ? digestsIn(ops).at(-1) : undefined),
      { description: 'the digest due at start-up', timeoutMs: 15_000 },
    );
    expect(textOf(posted.blocks)).toContain('Requested by <@U0ALICE>');
    expect(
      world.slack
        .ephemerals('alice')
        .map((e) => e.text)
        .join('\n'),
    ).not.toContain('could not post');
  });

  it('a worker opens the run queue as it starts: the first approved run does not build it on the click path', async () => {
    // Its own prefix: a queue nothing in this file has used yet.
    const prefix = `${world.isolation.redisPrefix}:queue-at-start`;
    const meta = `${prefix}:runs:meta`;
    const redis = new Redis(world.isolation.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      expect(await redis.exists(meta)).toBe(0);
      // No run for its reconciler to enqueue (which would open the queue too).
      expect((await world.bot.pool.query('SELECT count(*)::int AS n FROM runs')).rows).toEqual([{ n: 0 }]);
      await startProcess('worker', { ...world.env, REDIS_PREFIX: prefix });
      // A BullMQ queue records its version in its meta hash once it has checked Redis's.
      const version = await eventually(() => redis.hget(meta, 'version'), 'the run queue opened at start');
      expect(version).toMatch(/^bullmq:/);
    } finally {
      redis.disconnect();
    }
  });

  it('web started while Slack is unreachable keeps retrying, says why in /readyz, and serves once Slack is back', async () => {
    const slackApi = new URL(world.env.SLACK_API_URL);
    const proxy = new TcpProxy({ host: slackApi.hostname, port: Number(slackApi.port) });
    await proxy.start();
    proxy.cut();
    const viaProxy = new URL(slackApi);
    viaProxy.port = String(proxy.port);
    try {
      const web = await startProcess('web', { ...world.env, SLACK_API_URL: viaProxy.toString() });
      const notReady = await fetch(`http://127.0.0.1:${web.port}/readyz`);
      expect(notReady.status).toBe(503);
      const body = (await notReady.json()) as { checks: Record<string, string> };
      expect(body.checks).toMatchObject({ postgres: 'ok', redis: 'ok' });
      expect(body.checks.slack).toMatch(/auth\.test has not succeeded .*retrying/);

      proxy.restore();
      await eventually(
        async () => (await fetch(`http://127.0.0.1:${web.port}/readyz`)).status === 200,
        'ready once Slack answers',
        20_000,
      );
    } finally {
      await proxy.stop();
    }
  }, 40_000);
});
