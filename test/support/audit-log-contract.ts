import { afterEach, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/audit/audit-log.ts';

export interface AuditLogSubject {
  log: AuditLog;
  /** Changes a stored row's outcome without going through the log (a tampering insider). */
  tamper(id: number, outcome: string): Promise<void>;
  close(): Promise<void>;
}

/** What every AuditLog adapter must do: the PostgreSQL one and the in-memory one of the fast tier. */
export function auditLogContract(name: string, open: () => Promise<AuditLogSubject>): void {
  describe(`${name} (AuditLog contract)`, () => {
    let subject: AuditLogSubject | undefined;
    const start = async () => (subject = await open());
    afterEach(async () => {
      await subject?.close();
      subject = undefined;
    });

    it('chains rows recorded concurrently, in order, and verifies the chain', async () => {
      const { log } = await start();
      const records = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          log.record({
            requestId: `req_${i}`,
            userId: 'U1',
            action: 'help',
            arguments: { i, nested: { b: 1, a: 2 } },
            outcome: 'ok',
          }),
        ),
      );
      expect(new Set(records.map((r) => r.id)).size).toBe(12);
      const rows = await log.since(new Date(0));
      expect(rows.map((r) => r.requestId).sort()).toEqual(records.map((r) => r.requestId).sort());
      rows.forEach((row, i) => expect(row.prevHash).toBe(i === 0 ? 'genesis' : rows[i - 1]!.hash));
      expect(rows[0]).toMatchObject({
        userId: 'U1',
        action: 'help',
        outcome: 'ok',
        arguments: { i: expect.any(Number), nested: { a: 2, b: 1 } },
      });
      expect(await log.verify()).toEqual({ ok: true, checked: 12 });
    });

    it('lists from a time, in order, up to a limit', async () => {
      const { log } = await start();
      for (let i = 0; i < 5; i++)
        await log.record({ requestId: `r${i}`, action: 'status', outcome: i % 2 ? 'ok' : 'rejected:bad_input' });
      const all = await log.since(new Date(0));
      expect(all.map((r) => r.requestId)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
      expect((await log.since(new Date(0), 2)).map((r) => r.requestId)).toEqual(['r0', 'r1']);
      expect(await log.since(new Date(Date.now() + 60_000))).toEqual([]);
    });

    it('detects a row edited behind its back, naming it', async () => {
      const { log, tamper } = await start();
      const rows = [];
      for (let i = 0; i < 4; i++)
        rows.push(await log.record({ requestId: `t${i}`, action: 'rollback', outcome: 'ok' }));
      await tamper(rows[2]!.id, 'denied');
      const result = await log.verify();
      expect(result).toMatchObject({ ok: false, checked: 2, brokenAt: { id: rows[2]!.id } });
      expect(result.brokenAt?.reason).toContain('edited');
    });
  });
}
