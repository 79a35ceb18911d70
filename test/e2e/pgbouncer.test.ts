/**
 * PostgreSQL behind PgBouncer in transaction pooling mode: a web and a worker process (compiled build)
 * send their queries through the pooler (DATABASE_URL) and keep session state (migrations, session
 * advisory locks, the outbox leader's LISTEN) on a direct connection (DATABASE_DIRECT_URL). A PgBouncer
 * restart in the middle of a rollback loses nothing and repeats nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCompiledBot, type CompiledBot } from '../support/compiled-bot.ts';
import { startProcessWorld, type ProcessWorld } from '../support/process-world.ts';
import { startPgBouncer, type PgBouncer } from '../support/pgbouncer.ts';
import { isolate } from '../support/isolation.ts';
import { expectRollbackFinishedOnce, helpAnsweredAfter, rollbackHeldAtTargetReady } from '../support/process-flows.ts';

const POD_READY_MS = 60 * 60_000;
let bouncer: PgBouncer;
let world: ProcessWorld;
let web: CompiledBot;
let worker: CompiledBot;

beforeAll(async () => {
  world = await startProcessWorld('pgbouncer', {
    clusterTiming: { podStartMs: 50, podReadyMs: POD_READY_MS, tickMs: 10, progressDeadlineScale: 1_000 },
  });
  bouncer = await startPgBouncer(world.isolation.databaseUrl, world.isolation.schema);
  world.env.DATABASE_URL = bouncer.url;
  world.env.DATABASE_DIRECT_URL = world.isolation.databaseUrl;
  [web, worker] = await Promise.all([
    startCompiledBot('web', world.env, { name: 'web' }),
    startCompiledBot('worker', world.env, { name: 'worker' }),
  ]);
}, 600_000);
afterAll(async () => {
  await Promise.all([web?.stop('SIGKILL'), worker?.stop('SIGKILL')]);
  await bouncer?.stop();
  await world?.stop();
});

describe('PostgreSQL behind PgBouncer (transaction pooling)', { timeout: 600_000 }, () => {
  it('rides out a PgBouncer restart in the middle of a rollback without losing or repeating anything', async () => {
    // The bot's queries do go through the pooler.
    expect((await bouncer.clients()).filter((c) => c.database === 'eafix').length).toBeGreaterThan(0);
    const driver = world.driverFor(web);
    const rollback = await rollbackHeldAtTargetReady(world, driver);

    await bouncer.restart();
    // Slack traffic after the restart: audited and answered through the new pooler.
    await helpAnsweredAfter(world, driver, 'restart');

    await expectRollbackFinishedOnce(world, rollback, POD_READY_MS);
    expect((await bouncer.clients()).filter((c) => c.database === 'eafix').length).toBeGreaterThan(0);
  });

  it('refuses to start when the pooler gives another search_path than its schema, and says how to fix it', async () => {
    // Another schema than the pooler's connect_query sets.
    const other = isolate('pgbouncer_other');
    try {
      const refused = await startCompiledBot(
        'worker',
        { ...world.env, DATABASE_SCHEMA: other.schema },
        {
          name: 'misconfigured',
        },
      ).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(refused).toMatch(/exited \(1\) before it was ready/);
      expect(refused).toContain(`not the bot's schema \\"${other.schema}\\"`);
      expect(refused).toContain('ALTER ROLE');
    } finally {
      await other.cleanup();
    }
  });
});
