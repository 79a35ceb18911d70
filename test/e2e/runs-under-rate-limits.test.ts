import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/config/policy.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';

const SERVICES = 25;
const CHANNELS = 10;
let world: TestWorld;

beforeAll(async () => {
  const policy = await loadPolicy(examplePolicyPath);
  policy.topology.services = Array.from({ length: SERVICES }, (_, i) => {
    const name = `svc-${String(i + 1).padStart(2, '0')}`;
    return {
      name,
      deployment: `eafix-${name}`,
      appLabel: `eafix-${name}`,
      replicas: { min: 1, max: 4, default: 1 },
      image: 'registry.eafix.local/eafix/service:1.0.0',
    };
  });
  world = await startWorld('runs_rate_limits', {
    policy,
    clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 20 },
    // Tighter than Slack: chat.update 100/min with a burst of 10, chat.postMessage 1/s per channel, burst 1.
    rateLimits: {
      tiers: { 'chat.update': { perMinute: 100, burst: 10 } },
      postMessagePerChannelPerSecond: 1,
      postMessageBurst: 1,
    },
  });
  for (let c = 0; c < CHANNELS; c++)
    world.slack.addChannel({ name: `ops-${c}`, members: ['U0ALICE'], botMember: true });
});
afterAll(async () => {
  await world?.stop();
});

describe('50 concurrent runs under tightened Slack rate limits', () => {
  it('all finish, every thread shows the final state, and every 429 was waited out', async () => {
    // The tightened limits answer 429 when calls bunch up, which a slow machine may never do: a few
    // injected 429s make sure the waiting-out is exercised on every run.
    world.slack.injectFailure({ kind: 'ratelimited', method: 'chat.postMessage', times: 3, retryAfterSeconds: 2 });
    world.slack.injectFailure({ kind: 'ratelimited', method: 'chat.update', times: 3, retryAfterSeconds: 2 });
    const commands = [];
    for (let i = 0; i < SERVICES * 2; i++) {
      const service = `svc-${String((i % SERVICES) + 1).padStart(2, '0')}`;
      const environment = i < SERVICES ? 'staging' : 'dr';
      commands.push(
        world.driver.command({
          user: 'alice',
          channel: `ops-${i % CHANNELS}`,
          text: `restart ${service} --environment=${environment} --reason "load test ${i}"`,
        }),
      );
    }
    const acks = await Promise.all(commands);
    // Every command is accepted; how fast 50 acks come back is measured in bench/, not asserted here.
    expect(acks.map((a) => a.status)).toEqual(acks.map(() => 200));

    const runs = await eventually(
      async () => {
        const rows = (await world.bot.pool.query(`SELECT id, status, thread_channel FROM runs WHERE kind = 'restart'`))
          .rows;
        return rows.length === SERVICES * 2 &&
          rows.every((r) => ['succeeded', 'failed', 'cancelled'].includes(r.status))
          ? rows
          : undefined;
      },
      'all 50 runs to finish',
      480_000,
    );
    expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);

    // The final state always lands, even where intermediate edits were coalesced away (edits are paced to
    // the tightened Tier 3 limit, so the last of 50 runs may wait minutes behind the others). A run may
    // finish before its status message is first posted (posts are paced per channel): its ts is read
    // once the outbox has posted it.
    for (const run of runs) {
      const statusTs = await eventually(
        async () => {
          const row = (await world.bot.pool.query(`SELECT status_message_ts FROM runs WHERE id = $1`, [run.id]))
            .rows[0];
          return row?.status_message_ts ?? undefined;
        },
        `status message of ${run.id} to be posted`,
        300_000,
      );
      await world.slack.waitFor(
        (emu) => emu.state.findMessage(run.thread_channel, statusTs)?.text.includes('succeeded (3/3 steps done)'),
        { description: `final status of ${run.id}`, timeoutMs: 300_000 },
      );
    }
    // The finished replies are paced behind the status messages: every row delivered before the calls are read.
    await eventually(
      async () => (await world.bot.pool.query(`SELECT 1 FROM slack_outbox WHERE state <> 'delivered'`)).rowCount === 0,
      'the outbox drained',
      300_000,
    );
    const limited = world.slack.calls.filter((c) => c.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    // Every method that was limited later succeeded again: nothing gave up on a 429.
    for (const method of new Set(limited.map((c) => c.method))) {
      const lastLimited = Math.max(...limited.filter((c) => c.method === method).map((c) => c.at));
      expect(world.slack.calls.some((c) => c.method === method && c.ok && c.at >= lastLimited)).toBe(true);
    }
  }, 720_000);
});
