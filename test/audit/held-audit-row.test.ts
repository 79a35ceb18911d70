import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditLog } from '../../src/audit/audit-log.ts';
import { HeldAuditRow } from '../../src/audit/held-audit-row.ts';
import { MemoryAuditLog, NO_TRANSACTION } from '../support/memory-audit-log.ts';

const approved: AuditEntry = { requestId: 'req_click', userId: 'U0BOB', action: 'approval.approved', outcome: 'ok' };
const actions = async (log: MemoryAuditLog) => (await log.since(new Date(0))).map((r) => r.action);

describe('an audit row held for the change it records', () => {
  it('is written with the change, once, and what is recorded after it comes after it', async () => {
    const log = new MemoryAuditLog();
    const held = new HeldAuditRow(approved, log);
    const result = await held.recordWith(log)(async (append) => {
      await append(NO_TRANSACTION);
      return 'run created';
    });
    expect(result).toBe('run created');
    await held.audit.record({ requestId: 'req_click', action: 'execute', outcome: 'ok' });
    await held.recorded(log);
    expect(await actions(log)).toEqual(['approval.approved', 'execute']);
  });

  it('is written before any other row when no change took it', async () => {
    const log = new MemoryAuditLog();
    const held = new HeldAuditRow(approved, log);
    await held.audit.record({ requestId: 'req_click', action: 'approval.superseded', outcome: 'ok' });
    expect(await actions(log)).toEqual(['approval.approved', 'approval.superseded']);
  });

  it('is waited for by `recorded` while a change holds it, and not written twice', async () => {
    const log = new MemoryAuditLog();
    const held = new HeldAuditRow(approved, log);
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    const change = held.recordWith(log)(async (append) => {
      await committing;
      await append(NO_TRANSACTION);
    });
    // What must not be shown before the row (the approval message's "approved") reads the log once it may.
    const seenWhenRecorded = held.recorded(log).then(() => actions(log));
    commit();
    await change;
    expect(await seenWhenRecorded).toEqual(['approval.approved']);
    expect(await actions(log)).toEqual(['approval.approved']);
  });

  it('is written by `recorded` when the change holding it rolled back', async () => {
    const log = new MemoryAuditLog();
    const held = new HeldAuditRow(approved, log);
    let fail!: (error: Error) => void;
    const failing = new Promise<void>((_resolve, reject) => (fail = reject));
    const change = held.recordWith(log)(() => failing);
    const recorded = held.recorded(log);
    fail(new Error('target busy'));
    await expect(change).rejects.toThrow('target busy');
    await recorded;
    await held.recorded(log);
    expect(await actions(log)).toEqual(['approval.approved']);
  });

  it('is written once when shown and recorded at once: each waits for the write under way', async () => {
    const log = new MemoryAuditLog();
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    // A log whose writes take a while (a batch on its way to PostgreSQL).
    const slow: AuditLog = Object.assign(Object.create(log) as AuditLog, {
      record: async (entry: AuditEntry) => {
        await committing;
        return log.record(entry);
      },
    });
    const held = new HeldAuditRow(approved, slow);
    // The execution records its outcome (the row goes first) while the message is about to show "approved".
    const outcome = held.audit.record({ requestId: 'req_click', action: 'approval.superseded', outcome: 'ok' });
    const seenWhenShown = held.recorded(slow).then(() => actions(log));
    // And a run is created meanwhile: it starts only once the row is written, and does not carry it again.
    const created = held.recordWith(slow)(async (append) => {
      const before = await actions(log);
      await append(NO_TRANSACTION);
      return before;
    });
    commit();
    await outcome;
    expect(await seenWhenShown).toContain('approval.approved');
    expect(await created).toContain('approval.approved');
    expect(await actions(log)).toEqual(['approval.approved', 'approval.superseded']);
  });
});
