/**
 * Redis through Sentinel: a web and a worker process (compiled build) find the master by asking three
 * Sentinels (REDIS_SENTINELS; REDIS_URL's host is a name that resolves nowhere), and a `SENTINEL
 * FAILOVER` in the middle of a rollback loses nothing: the run finishes once, Slack hears everything
 * once, and the processes work on the new master.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCompiledBot, type CompiledBot } from '../support/compiled-bot.ts';
import { startProcessWorld, type ProcessWorld } from '../support/process-world.ts';
import { startSentinelGroup, type SentinelGroup } from '../support/redis-sentinel-group.ts';
import { eventually } from '../support/eventually.ts';
import { expectRollbackFinishedOnce, helpAnsweredAfter, rollbackHeldAtTargetReady } from '../support/process-flows.ts';

const POD_READY_MS = 60 * 60_000;
let group: SentinelGroup;
let world: ProcessWorld;
let web: CompiledBot;
let worker: CompiledBot;

beforeAll(async () => {
  group = await startSentinelGroup();
  world = await startProcessWorld('redis_sentinel', {
    clusterTiming: { podStartMs: 50, podReadyMs: POD_READY_MS, tickMs: 10, progressDeadlineScale: 1_000 },
    env: {
      // Only the Sentinels know where the master is.
      REDIS_URL: 'redis://redis-master.invalid:6379/0',
      REDIS_SENTINELS: group.sentinels.join(','),
      REDIS_SENTINEL_NAME: group.name,
    },
  });
  [web, worker] = await Promise.all([
    startCompiledBot('web', world.env, { name: 'web' }),
    startCompiledBot('worker', world.env, { name: 'worker' }),
  ]);
}, 600_000);
afterAll(async () => {
  await Promise.all([web?.stop('SIGKILL'), worker?.stop('SIGKILL')]);
  await world?.stop();
  await group?.stop();
});

/** The bot's processes connected to the Redis on `port` (by their connection names). */
async function botConnectionsOn(port: number): Promise<string[]> {
  const list = (await group.client(port).call('CLIENT', 'LIST')) as string;
  return [...list.matchAll(/ name=(eafix-\S+)/g)].map((m) => m[1]!);
}

describe('Redis behind Sentinel', { timeout: 600_000 }, () => {
  it('rides out a Sentinel failover in the middle of a rollback without losing or repeating anything', async () => {
    const before = await group.masterPort();
    expect(await botConnectionsOn(before)).toEqual(expect.arrayContaining(['eafix-web', 'eafix-worker']));
    const driver = world.driverFor(web);
    const rollback = await rollbackHeldAtTargetReady(world, driver);

    const { from, to } = await group.failover();
    expect(to).not.toBe(from);
    // Both processes follow the Sentinels to the new master (the old one is a replica now).
    await eventually(async () => {
      const names = await botConnectionsOn(to);
      return names.includes('eafix-web') && names.includes('eafix-worker');
    }, 'the bot on the new master');

    // Slack traffic after the failover: the inbound gate's delivery ledger writes to the new master.
    await helpAnsweredAfter(world, driver, 'failover');

    await expectRollbackFinishedOnce(world, rollback, POD_READY_MS);
    // The queues live on the new master.
    const keys = await group.client(to).keys(`${world.isolation.redisPrefix}*`);
    expect(keys.length).toBeGreaterThan(0);
  });
});
