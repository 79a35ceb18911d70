import { describe, expect, it } from 'vitest';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import type { RunRecord } from '../../src/jobs/run-record.ts';
import { createLogger } from '../../src/logger.ts';
import { createPool, migrate, type Pool } from '../../src/store/database.ts';
import { PgRunStore } from '../../src/store/pg-run-store.ts';
import { PgRunStats } from '../../src/store/pg-run-stats.ts';
import { PgAuditLog } from '../../src/store/pg-audit-log.ts';
import type { RecordAuditWith } from '../../src/audit/audit-log.ts';
import { isolate } from '../support/isolation.ts';
import { runStoreContract } from '../support/run-store-contract.ts';

const logger = createLogger({ level: 'silent' });

runStoreContract('PgRunStore', async () => {
  const own = isolate('run_store_contract');
  const pool = createPool({ url: own.databaseUrl, schema: own.schema }, logger);
  await migrate(pool, own.schema, logger);
  const finished: RunRecord[] = [];
  return {
    store: new PgRunStore(pool, { onFinished: async (_client, run) => void finished.push(run) }),
    finished,
    loseHandOver: async (target) => void (await pool.query('DELETE FROM run_targets WHERE target = $1', [target])),
    close: async () => {
      await pool.end();
      await own.cleanup();
    },
  };
});

/** A test's own migrated schema, dropped once `use` ends, whatever it throws. */
async function withOwnSchema(
  label: string,
  use: (pool: Pool) => Promise<void>,
  options: { statementTimeoutMs?: number } = {},
): Promise<void> {
  const own = isolate(label);
  const pool = createPool({ url: own.databaseUrl, schema: own.schema, ...options }, logger);
  try {
    await migrate(pool, own.schema, logger);
    await use(pool);
  } finally {
    await pool.end();
    await own.cleanup();
  }
}

describe('PgRunStore run creation under a cover prefix', () => {
  it('creates a run under a prefix while another creation under it is still open, but not a covering one', async () => {
    await withOwnSchema(
      'run_store_cover_locks',
      async (pool) => {
        const open = await pool.connect();
        try {
          const store = new PgRunStore(pool);
          const step = { id: 'go', title: 'Go', run: async () => {} };
          const restart = defineRunKind<unknown>({
            kind: 'restart',
            steps: [step],
            target: (input) => `service:staging/${(input as { service: string }).service}`,
          });
          const rollback = defineRunKind<unknown>({
            kind: 'rollback database',
            steps: [step],
            covers: () => 'service:staging/',
          });
          const request = (requestId: string) => ({ requestId, requestedBy: 'U0ALICE', teamId: 'T0EAFIX' });
          // A creation of a run under service:staging/ that has taken its prefix's lock and not yet committed
          // (a burst of commands: thirty restarts in one environment).
          await open.query('BEGIN');
          await open.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', ['eafix-covers:service:staging/']);
          const { created } = await store.createRun(restart, { ...request('req_a'), input: { service: 'svc-a' } });
          expect(created).toBe(true);
          // A covering run waits for it (here past its statement timeout), as it must to see that run.
          await expect(store.createRun(rollback, { ...request('req_db'), input: {} })).rejects.toMatchObject({
            code: '57014',
          });
        } finally {
          await open.query('ROLLBACK').catch(() => undefined);
          open.release();
        }
      },
      { statementTimeoutMs: 1_000 },
    );
  });
});

describe('PgRunStore run creation with audit rows (an approval click)', () => {
  it('commits the rows with the run it creates, none with a run it refuses, once after another writer', async () => {
    await withOwnSchema('run_store_audit_rows', async (pool) => {
      const store = new PgRunStore(pool);
      const audit = new PgAuditLog(pool);
      const kind = defineRunKind<unknown>({
        kind: 'restart',
        steps: [{ id: 'go', title: 'Go', run: async () => {} }],
        target: () => 'service:staging/api',
      });
      const request = (requestId: string) => ({ requestId, requestedBy: 'U0ALICE', teamId: 'T0EAFIX', input: {} });
      const withRow =
        (detail: string): RecordAuditWith =>
        (change) =>
          audit.recordWith(
            [{ requestId: 'req_click', userId: 'U0BOB', action: 'approval.approved', outcome: 'ok', detail }],
            change,
          );
      const rows = async (detail: string) =>
        (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE detail = $1`, [detail]))
          .rows[0]?.n;

      const { run } = await store.createRun(kind, request('req_1'), withRow('first'));
      // One transaction: the row and the run were written by the same one (neither updated since).
      const together = await pool.query(
        `SELECT a.xmin::text = r.xmin::text AS same FROM audit_log a, runs r WHERE r.id = $1 AND a.detail = 'first'`,
        [run.id],
      );
      expect(together.rows).toEqual([{ same: true }]);

      // The target is held by that run: a second is refused, and its row rolls back with it.
      await expect(store.createRun(kind, request('req_2'), withRow('refused'))).rejects.toMatchObject({
        code: 'target_busy',
      });
      expect(await rows('refused')).toBe(0);

      // Another replica extends the chain past the end this process knows: the creation is made again
      // from the new end, and only the second attempt commits.
      await audit.record({ requestId: 'req_known_end', action: 'help', outcome: 'ok' });
      await new PgAuditLog(pool).record({ requestId: 'req_other', action: 'help', outcome: 'ok' });
      const untargeted = defineRunKind<unknown>({
        kind: 'digest',
        steps: [{ id: 'go', title: 'Go', run: async () => {} }],
      });
      let attempts = 0;
      const counted: RecordAuditWith = (change) =>
        withRow('after another writer')((append) => {
          attempts += 1;
          return change(append);
        });
      const again = await store.createRun(untargeted, request('req_3'), counted);
      expect(attempts).toBe(2);
      expect(again.created).toBe(true);
      expect(await rows('after another writer')).toBe(1);
      const runs = await pool.query(`SELECT id FROM runs WHERE request_id = 'req_3'`);
      expect(runs.rows).toEqual([{ id: again.run.id }]);
      expect((await audit.verify()).ok).toBe(true);
    });
  });
});

describe('PgRunStats', () => {
  it('counts a paused run as paused', async () => {
    await withOwnSchema('run_stats_paused', async (pool) => {
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
    });
  });
});

describe('PgRunStore step boundary', () => {
  it('sees a cancel committed while the boundary waited for the run row: the next step is not started', async () => {
    await withOwnSchema('run_boundary_cancel', async (pool) => {
      const canceller = await pool.connect();
      try {
        const store = new PgRunStore(pool);
        const kind = defineRunKind<unknown>({
          kind: 'status',
          steps: ['scale', 'verify'].map((id) => ({ id, title: id, run: async () => {} })),
        });
        const { run } = await store.createRun(kind, {
          input: {},
          requestId: 'req_1',
          requestedBy: 'U0ALICE',
          teamId: 'T0EAFIX',
        });
        await store.startRun(run.id, 'w1');
        await store.stepStarted(run.id, 0, 'w1');
        // Another session holds the run row with its cancel written but not yet committed.
        await canceller.query('BEGIN');
        await canceller.query(`UPDATE runs SET cancel_requested = true, cancelled_by = 'U0BOB' WHERE id = $1`, [
          run.id,
        ]);
        const boundary = store.stepSucceededThenStart(run.id, 0, { summary: 'scaled' }, { index: 1, workerId: 'w1' });
        // Commit only once the boundary waits for this transaction's row lock, so it must re-read the row.
        const xid = await canceller.query<{ xid: string }>(
          `SELECT (pg_current_xact_id()::text::bigint % 4294967296)::text AS xid`,
        );
        // (A boundary that does not wait for the lock ends this loop too, and fails the expectations below.)
        let settled = false;
        void boundary.then(
          () => (settled = true),
          () => (settled = true),
        );
        while (!settled) {
          const waiting = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND locktype = 'transactionid' AND transactionid::text = $1`,
            [xid.rows[0]?.xid],
          );
          if ((waiting.rows[0]?.n ?? 0) > 0) break;
        }
        await canceller.query('COMMIT');
        const stepped = await boundary;
        expect(stepped.cancel).toEqual({ requested: true, by: 'U0BOB' });
        expect(stepped.started).toBeUndefined();
        expect(stepped.done).toMatchObject({ index: 0, status: 'succeeded', summary: 'scaled' });
        const after = await store.getRun(run.id);
        expect(after?.steps.map((s) => [s.status, s.attempt])).toEqual([
          ['succeeded', 1],
          ['pending', 0],
        ]);
        expect(after?.currentStep).toBe(0);
      } finally {
        canceller.release();
      }
    });
  });
});
