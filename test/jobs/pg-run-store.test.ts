import { describe, expect, it } from 'vitest';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import type { RunRecord } from '../../src/jobs/run-record.ts';
import { createLogger } from '../../src/logger.ts';
import { createPool, migrate } from '../../src/store/database.ts';
import { PgRunStore } from '../../src/store/pg-run-store.ts';
import { PgRunStats } from '../../src/store/pg-run-stats.ts';
import { isolate } from '../support/isolation.ts';
import { runStoreContract } from '../support/run-store-contract.ts';

const logger = createLogger({ level: 'silent' });

runStoreContract('PgRunStore', async () => {
  const own = isolate('run_store_contract');
  const pool = createPool({ url: own.databaseUrl, schema: own.schema }, logger);
  await migrate(pool, own.schema, logger);
  const finished: RunRecord[] = [];
  return {
    store: new PgRunStore(pool, async (_client, run) => void finished.push(run)),
    finished,
    loseHandOver: async (target) => void (await pool.query('DELETE FROM run_targets WHERE target = $1', [target])),
    close: async () => {
      await pool.end();
      await own.cleanup();
    },
  };
});

describe('PgRunStats', () => {
  it('counts a paused run as paused', async () => {
    const own = isolate('run_stats_paused');
    const pool = createPool({ url: own.databaseUrl, schema: own.schema }, logger);
    try {
      await migrate(pool, own.schema, logger);
      const store = new PgRunStore(pool);
      const kind = defineRunKind<unknown>({
        kind: 'status',
        steps: [{ id: 'wait', title: 'Wait', run: async () => {} }],
      });
      const since = new Date(Date.now() - 60_000);
      const request = { input: {}, requestId: 'req_1', requestedBy: 'U0ALICE', teamId: 'T0EAFIX' };
      const { run } = await store.createRun(kind, request);
      await store.createRun(kind, { ...request, requestId: 'req_2' });
      await store.startRun(run.id, 'w1');
      await store.stepStarted(run.id, 0, 'w1');
      await store.pauseRun(run.id, 0, {
        cause: 'step',
        question: 'Go on?',
        options: [{ id: 'continue', label: 'Continue' }],
        expiresAt: new Date(Date.now() + 60_000),
      });
      expect(await new PgRunStats(pool).countSince(since)).toEqual({
        queued: 1,
        running: 0,
        paused: 1,
        succeeded: 0,
        failed: 0,
        cancelled: 0,
      });
    } finally {
      await pool.end();
      await own.cleanup();
    }
  });
});
