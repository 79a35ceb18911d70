import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { pageKey } from '../../src/handlers/incidents/incident-timing.ts';
import { startEmbeddedRedis } from '@eafix/sandbox/embedded-redis';
import type { EmbeddedService } from '@eafix/sandbox/embedded-postgres';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { bothLevelsAnnounced, declare, incidentsOf, messagesWith, policyWith } from '../support/incidents.ts';

const logger = createLogger({ level: 'silent' });
/**
 * The bot's last log lines (debug), printed when the test fails. They found why it went red under load (no
 * page within 45 s): a rebuild in flight when Redis stopped lost the level-2 timer, level 3 fired first and
 * raised the incident past level 2, and the rebuild skipped level 2 from then on
 * (test/e2e/incident-escalation-order.test.ts).
 */
const recentBotLogs: string[] = [];
const botLogger = createLogger({
  level: 'debug',
  destination: {
    write: (line: string) => {
      recentBotLogs.push(line);
      if (recentBotLogs.length > 500) recentBotLogs.shift();
    },
  },
});
let world: TestWorld;
let redis: EmbeddedService;
let port: number;
/** How far the bot's clock runs ahead of the system's: the runbook's 15 and 30 minutes pass when the test says. */
let ahead = 0;
const minutes = (n: number) => n * 60_000;

beforeAll(async () => {
  // A private Redis without persistence, so the test can lose everything in it.
  redis = await startEmbeddedRedis(logger);
  port = Number(new URL(redis.url).port);
  const policy = await policyWith({
    escalation: { level2After: minutes(15), level3After: minutes(30), seniorEngineering: '@senior-eng' },
  });
  world = await startWorld('incident_redis_loss', {
    logger: botLogger,
    policy,
    redisUrl: redis.url,
    jobs: { reconcileIntervalMs: 300 },
    now: () => new Date(Date.now() + ahead),
  });
});
afterAll(async () => {
  await world?.stop();
  await redis?.stop();
});

describe('incident timers when Redis loses everything', () => {
  it('still escalates an open incident, once per level, after Redis restarts empty', async () => {
    onTestFailed(() => {
      process.stderr.write(`--- the bot's last ${recentBotLogs.length} log lines ---\n${recentBotLogs.join('')}\n`);
    });
    const incident = await declare(world, { title: 'Timers in a Redis that restarts' });
    const store = incidentsOf(world).deps.store;
    expect((await store.get(incident.id))?.escalationLevel).toBeLessThan(2);

    // Half an hour passes while Redis, and every delayed job in it, is lost: only PostgreSQL remembers.
    await redis.stop();
    ahead += minutes(31);
    redis = await startEmbeddedRedis(logger, 'redis-server', port);

    // It takes 2–4 s. It used to stall on a busy machine: a rebuild that began before the clock moved wrote its
    // level-2 timer (due in 15 minutes) once Redis was back, and later rebuilds could not bring it forward
    // (test/jobs/incident-timers.test.ts). The test is about escalating once per level, not how fast: 45 s.
    const page = await world.pagerduty.waitFor(
      (e) => e.dedup_key === pageKey(incident.id) && e.event_action === 'trigger',
      { timeoutMs: 45_000 },
    );
    expect(page.payload?.summary).toContain(incident.id);
    const room = incident.channelId!;
    // Both levels are overdue at once: their jobs may run in either order, so wait for both messages.
    await bothLevelsAnnounced(world, room);
    expect(
      world.pagerduty.events.filter((e) => e.dedup_key === pageKey(incident.id) && e.event_action === 'trigger'),
    ).toHaveLength(1);
    expect(messagesWith(world, room, 'Escalation level 2')).toHaveLength(1);
    expect(messagesWith(world, room, 'Escalation level 3')).toHaveLength(1);
    await eventually(async () => (await store.get(incident.id))?.escalationLevel === 3, 'escalation level 3 recorded');
  }, 120_000);
});
