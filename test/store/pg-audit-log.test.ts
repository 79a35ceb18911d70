import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createPool, inOneRoundTrip, inTransaction, migrate, type Pool } from '../../src/store/database.ts';
import type { AppendAudit, AuditTransaction } from '../../src/audit/audit-log.ts';
import { PgAuditLog } from '../../src/store/pg-audit-log.ts';
import { isolate } from '../support/isolation.ts';
import { auditLogContract } from '../support/audit-log-contract.ts';

const isolation = isolate('audit');
const logger = createLogger({ level: 'silent' });
let pool: Pool;
let audit: PgAuditLog;

beforeAll(async () => {
  pool = createPool({ url: isolation.databaseUrl, schema: isolation.schema }, logger);
  await Promise.all([migrate(pool, isolation.schema, logger), migrate(pool, isolation.schema, logger)]);
  audit = new PgAuditLog(pool);
});
afterAll(async () => {
  await pool.end();
  await isolation.cleanup();
});

describe('PgAuditLog', () => {
  it('migrates once even when two replicas start together', async () => {
    const applied = await pool.query('SELECT name FROM pgmigrations ORDER BY id');
    const files = (await readdir('migrations'))
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => f.replace(/\.sql$/, ''));
    expect(applied.rows.map((r) => r.name)).toEqual(files);
  });

  it('chains rows written concurrently and verifies the chain', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        audit.record({
          requestId: `req_${i}`,
          userId: 'U1',
          teamId: 'T1',
          channelId: 'C1',
          action: 'help',
          arguments: { z: i, a: [1, { y: 2, b: 3 }] },
          outcome: 'ok',
        }),
      ),
    );
    const rows = await audit.since(new Date(0));
    expect(rows).toHaveLength(20);
    rows.forEach((row, i) => expect(row.prevHash).toBe(i === 0 ? 'genesis' : rows[i - 1]!.hash));
    expect(await audit.verify()).toEqual({ ok: true, checked: 20 });
  });

  it('never fails a row because another row in its batch holds a NUL byte or a lone surrogate', async () => {
    const before = (await audit.since(new Date(0))).length;
    const bad = [{ text: 'help \u0000' }, { text: 'x\ud800y', ['k\u0000ey']: ['\udc00'] }];
    const writes = Array.from({ length: 40 }, (_, i) =>
      audit.record({
        requestId: `req_mix_${i}`,
        userId: i % 4 === 0 ? 'U0CAROL\u0000' : 'U0ALICE',
        action: 'help',
        arguments: i % 4 === 0 ? (bad[i % 2] as Record<string, unknown>) : { text: 'help' },
        outcome: 'ok',
        detail: i % 4 === 0 ? 'bad \ud83d text' : undefined,
      }),
    );
    const settled = await Promise.allSettled(writes);
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    const rows = (await audit.since(new Date(0))).slice(before);
    expect(rows).toHaveLength(40);
    const carol = rows.find((r) => r.requestId === 'req_mix_0');
    expect(carol).toMatchObject({
      userId: 'U0CAROL\uFFFD',
      arguments: { text: 'help \uFFFD' },
      detail: 'bad \uFFFD text',
    });
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('writes entries nobody waits for, in later batches, and drain() waits for them all', async () => {
    const before = (await audit.since(new Date(0))).length;
    // Fire and forget, across several ticks, as read-only commands do.
    for (let i = 0; i < 30; i++) {
      void audit.record({ requestId: `req_later_${i}`, action: 'status', outcome: 'ok' });
      if (i % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    await audit.drain();
    const rows = await audit.since(new Date(0));
    expect(rows.slice(before).map((r) => r.requestId)).toEqual(Array.from({ length: 30 }, (_, i) => `req_later_${i}`));
    expect(audit.unavailable).toBe(false);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('keeps one chain when several replicas write at once, each appending in one statement', async () => {
    const replicas = [audit, new PgAuditLog(pool), new PgAuditLog(pool)];
    const before = (await audit.since(new Date(0))).length;
    for (let round = 0; round < 5; round += 1) {
      await Promise.all(
        replicas.flatMap((replica, r) =>
          Array.from({ length: 8 }, (_, i) =>
            replica.record({ requestId: `req_replica_${round}_${r}_${i}`, action: 'status', outcome: 'ok' }),
          ),
        ),
      );
    }
    const rows = (await audit.since(new Date(0))).slice(before);
    expect(rows).toHaveLength(5 * 3 * 8);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('records both when two replicas append the same entry from the same row in the same millisecond', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-30T12:00:00.000Z'));
    try {
      const before = (await audit.since(new Date(0))).length;
      // Fresh writers read the chain's end, so both start from the same row with the same content: the
      // same hash. One wins; the other must read the end again and chain after it, not fail.
      const entry = { requestId: 'req_twin', action: 'maintenance.announced', outcome: 'ok' };
      const written = await Promise.all([new PgAuditLog(pool).record(entry), new PgAuditLog(pool).record(entry)]);
      expect(new Set(written.map((r) => r.hash)).size).toBe(2);
      expect((await audit.since(new Date(0))).length - before).toBe(2);
    } finally {
      vi.useRealTimers();
    }
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('refuses a second row linked to the same predecessor (a fork) at the database', async () => {
    const [last] = (await audit.since(new Date(0))).slice(-1);
    const fork = pool.query(
      `INSERT INTO audit_log (request_id, action, outcome, prev_hash, hash) VALUES ('req_fork', 'x', 'ok', $1, 'forged')`,
      [last?.prevHash],
    );
    await expect(fork).rejects.toMatchObject({ code: '23505', constraint: 'audit_log_prev_hash_key' });
  });

  it('links to the row that is there when the newest rows it wrote are gone (a restore)', async () => {
    const writer = new PgAuditLog(pool);
    await writer.record({ requestId: 'req_before_restore', action: 'status', outcome: 'ok' });
    const lost = await writer.record({ requestId: 'req_lost_in_restore', action: 'status', outcome: 'ok' });
    await pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await pool.query('DELETE FROM audit_log WHERE id = $1', [lost.id]);
    await pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    const after = await writer.record({ requestId: 'req_after_restore', action: 'status', outcome: 'ok' });
    const [previous] = (await audit.since(new Date(0))).filter((r) => r.requestId === 'req_before_restore');
    expect(after.prevHash).toBe(previous?.hash);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  describe('rows recorded in the transaction of the change they record', () => {
    const entry = (requestId: string) => ({
      requestId,
      userId: 'U0BOB',
      action: 'approvals approve',
      outcome: 'started',
    });
    const probe = (value: string) => (client: AuditTransaction) =>
      client.query('INSERT INTO change_probe (id) VALUES ($1)', [value]);
    const ours = async (prefix: string) =>
      (await audit.since(new Date(0))).filter((r) => r.requestId.startsWith(prefix)).map((r) => r.requestId);
    beforeAll(async () => {
      await pool.query('CREATE TABLE change_probe (id text PRIMARY KEY)');
    });

    it('commits them with the change, or neither, and chains the next row after what committed', async () => {
      const change = (append: AppendAudit) =>
        inTransaction(pool, async (client) => {
          await append(client);
          await probe('once')(client);
        });
      await audit.recordWith([entry('req_with_1')], change);
      // The same change again fails after its append (the probe row exists): its audit row goes with it.
      await expect(audit.recordWith([entry('req_with_2')], change)).rejects.toMatchObject({ code: '23505' });
      await audit.record(entry('req_with_3'));
      expect(await ours('req_with_')).toEqual(['req_with_1', 'req_with_3']);
      expect((await audit.verify()).ok).toBe(true);
    });

    it('makes the change again, once committed, when another replica extended the chain first', async () => {
      await audit.record(entry('req_moved_0'));
      await new PgAuditLog(pool).record(entry('req_moved_replica'));
      let attempts = 0;
      await audit.recordWith([entry('req_moved_1')], async (append) => {
        attempts += 1;
        // A change reports its own failure (the statements behind the append fail too, "transaction aborted").
        await inOneRoundTrip(pool, (client) => Promise.all([append(client), probe('moved')(client)])).catch(() => {
          throw new Error('the change failed');
        });
      });
      expect(attempts).toBe(2);
      expect(await ours('req_moved_')).toEqual(['req_moved_0', 'req_moved_replica', 'req_moved_1']);
      expect((await pool.query(`SELECT id FROM change_probe WHERE id = 'moved'`)).rowCount).toBe(1);
      expect((await audit.verify()).ok).toBe(true);
    });

    it("holds this process's own batches off the chain until the change's transaction ends", async () => {
      let attempts = 0;
      const batch = audit.record(entry('req_held_0'));
      const withChange = audit.recordWith([entry('req_held_1')], (append) => {
        attempts += 1;
        return inTransaction(pool, async (client) => {
          await append(client);
          // Recorded while the change's transaction is open: chained after it, not from the same end.
          void audit.record(entry('req_held_2'));
          await probe('held')(client);
        });
      });
      await Promise.all([batch, withChange]);
      await audit.drain();
      expect(attempts).toBe(1);
      expect(await ours('req_held_')).toEqual(['req_held_0', 'req_held_1', 'req_held_2']);
      expect((await audit.verify()).ok).toBe(true);
    });
  });

  it('refuses updates and deletes at the database', async () => {
    await expect(pool.query(`UPDATE audit_log SET outcome = 'ok' WHERE id = 1`)).rejects.toThrow('append-only');
    await expect(pool.query('DELETE FROM audit_log')).rejects.toThrow('append-only');
  });

  it('detects a row edited behind its back', async () => {
    await pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await pool.query(`UPDATE audit_log SET outcome = 'denied' WHERE id = (SELECT min(id) + 3 FROM audit_log)`);
    await pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    const result = await audit.verify();
    expect(result.ok).toBe(false);
    expect(result.brokenAt?.reason).toContain('edited');
  });
});

auditLogContract('PgAuditLog', async () => {
  const own = isolate('audit_contract');
  const contractPool = createPool({ url: own.databaseUrl, schema: own.schema }, logger);
  await migrate(contractPool, own.schema, logger);
  return {
    log: new PgAuditLog(contractPool),
    tamper: async (id, outcome) => {
      await contractPool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
      await contractPool.query('UPDATE audit_log SET outcome = $2 WHERE id = $1', [id, outcome]);
      await contractPool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    },
    close: async () => {
      await contractPool.end();
      await own.cleanup();
    },
  };
});
