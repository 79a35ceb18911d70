import type { AuditTransaction } from '../../src/audit/audit-log.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalStore, NewApprovalRequest } from '../../src/permissions/approval-types.ts';
import { planHash } from '../../src/permissions/plan-hash.ts';

export interface ApprovalStoreSubject {
  store: ApprovalStore;
  close(): Promise<void>;
}

/** A clock the test moves: expiry is decided by it, in every adapter. */
export class TestClock {
  private ms = Date.parse('2026-03-02T09:00:00Z');
  readonly now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

const MINUTE = 60_000;

/** What every ApprovalStore adapter must do: the PostgreSQL one and the in-memory one of the fast tier. */
export function approvalStoreContract(name: string, open: (now: () => Date) => Promise<ApprovalStoreSubject>): void {
  describe(`${name} (ApprovalStore contract)`, () => {
    let subject: ApprovalStoreSubject | undefined;
    let clock: TestClock;
    const start = async () => {
      clock = new TestClock();
      return (subject = await open(clock.now));
    };
    afterEach(async () => {
      await subject?.close();
      subject = undefined;
    });
    const request = (overrides: Partial<NewApprovalRequest> = {}): NewApprovalRequest => ({
      action: 'rollback',
      permission: 'deploy.rollback',
      arguments: { environment: 'production', reason: 'bad deploy' },
      plan: [{ description: 'patch service eafix-gateway selector version green→blue', change: { to: 'blue' } }],
      reason: 'bad deploy',
      requester: 'U0DAVE',
      teamId: 'T0EAFIX',
      channelId: 'C0OPS',
      requestId: 'req_1',
      requiredApprovals: 1,
      expiresAt: new Date(clock.now().getTime() + 15 * MINUTE),
      ...overrides,
    });

    it('stores a request with its plan hash and the message it is shown in', async () => {
      const { store } = await start();
      const created = await store.create(request());
      expect(created.id).toMatch(/^apr_[0-9a-f]{12}$/);
      expect(created).toMatchObject({
        ...request(),
        planHash: planHash(request().plan),
        status: 'pending',
        approvers: [],
      });
      await store.attachMessage(created.id, 'C0OPS', '1700000000.000100');
      expect(await store.get(created.id)).toMatchObject({ messageChannel: 'C0OPS', messageTs: '1700000000.000100' });
      expect(await store.get('apr_000000000000')).toBeUndefined();
    });

    it('with a given id, creating the request again returns the first one unchanged', async () => {
      const { store } = await start();
      const first = await store.create(request({ id: 'apr_0123456789ab', requestId: 'req_first' }));
      const again = await store.create(
        request({ id: 'apr_0123456789ab', requestId: 'req_again', requiredApprovals: 3 }),
      );
      expect(first.id).toBe('apr_0123456789ab');
      expect(again).toEqual(first);
      expect((await store.listPending()).filter((r) => r.id === first.id)).toHaveLength(1);
    });

    it('approves once: a later vote finds it decided, and only an approved request is finished', async () => {
      const { store } = await start();
      const { id } = await store.create(request());
      await store.finish(id, 'executed', 'too early');
      expect((await store.get(id))?.status).toBe('pending');
      expect(await store.vote(id, 'U0BOB')).toMatchObject({
        kind: 'approved',
        request: { status: 'approved', decidedBy: 'U0BOB', decidedAt: clock.now(), approvers: ['U0BOB'] },
      });
      expect(await store.vote(id, 'U0CAROL')).toMatchObject({ kind: 'not_pending', request: { status: 'approved' } });
      await store.finish(id, 'executed', 'blue live, 3/3 ready');
      await store.finish(id, 'failed', 'a second finish changes nothing');
      expect(await store.get(id)).toMatchObject({ status: 'executed', result: 'blue live, 3/3 ready' });
    });

    it('counts votes up to the number required, once per approver', async () => {
      const { store } = await start();
      const { id } = await store.create(request({ requiredApprovals: 2 }));
      expect((await store.vote(id, 'U0BOB')).kind).toBe('counted');
      expect((await store.vote(id, 'U0BOB')).kind).toBe('already_voted');
      expect(await store.vote(id, 'U0CAROL')).toMatchObject({
        kind: 'approved',
        request: { approvers: ['U0BOB', 'U0CAROL'], decidedBy: 'U0CAROL' },
      });
    });

    it("counts no vote whose click's audit row cannot be appended in its transaction", async () => {
      const { store } = await start();
      const { id } = await store.create(request());
      // The audit log's statement fails (in PostgreSQL the chain moved; in memory there is no transaction).
      const failing = (tx: AuditTransaction) => tx.query('SELECT audit_chain_appended(0)').then(() => undefined);
      await expect(store.vote(id, 'U0BOB', failing)).rejects.toThrow();
      expect(await store.get(id)).toMatchObject({ status: 'pending', approvers: [] });
      expect((await store.vote(id, 'U0BOB')).kind).toBe('approved');
    });

    it('lets exactly one of concurrent approvers see the approval', async () => {
      const { store } = await start();
      const { id } = await store.create(request());
      const outcomes = await Promise.all(['U1', 'U2', 'U3', 'U4', 'U5'].map((u) => store.vote(id, u)));
      expect(outcomes.filter((o) => o.kind === 'approved')).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'not_pending')).toHaveLength(4);
    });

    it('gives back the request still pending for the same plan in the same channel instead of a second one', async () => {
      const { store } = await start();
      const first = await store.create(request());
      const again = await store.create(request({ requestId: 'req_2', requester: 'U0CAROL' }));
      expect(again).toMatchObject({ id: first.id, requestId: 'req_1', requester: 'U0DAVE', status: 'pending' });
      // Another channel, plan, action or argument (a reason of its own) is another request.
      const elsewhere = await store.create(request({ requestId: 'req_3', channelId: 'C0OTHER' }));
      const otherPlan = await store.create(request({ requestId: 'req_4', plan: [{ description: 'scale blue to 3' }] }));
      const otherAction = await store.create(request({ requestId: 'req_5', action: 'deploy' }));
      const otherReason = await store.create(
        request({ requestId: 'req_8', arguments: { environment: 'production', reason: 'another reason' } }),
      );
      expect(new Set([first.id, elsewhere.id, otherPlan.id, otherAction.id, otherReason.id]).size).toBe(5);
      // Once it is decided, or expired, asking again makes a new one.
      await store.decide(first.id, 'rejected', 'U0BOB', 'not now');
      const afterReject = await store.create(request({ requestId: 'req_6' }));
      expect(afterReject.id).not.toBe(first.id);
      clock.advance(16 * MINUTE);
      const afterExpiry = await store.create(request({ requestId: 'req_7' }));
      expect(afterExpiry).toMatchObject({ requestId: 'req_7', status: 'pending' });
      expect(afterExpiry.id).not.toBe(afterReject.id);
    });

    it('makes one request of several asked for the same plan at the same moment', async () => {
      const { store } = await start();
      const asked = await Promise.all(
        ['req_a', 'req_b', 'req_c', 'req_d', 'req_e'].map((requestId) => store.create(request({ requestId }))),
      );
      expect(new Set(asked.map((r) => r.id)).size).toBe(1);
      expect((await store.listPending()).filter((r) => r.id === asked[0]!.id)).toHaveLength(1);
      expect(await store.listPending()).toHaveLength(1);
    });

    it('counts every concurrent vote when several are needed: the one that completes them approves', async () => {
      const { store } = await start();
      const { id } = await store.create(request({ requiredApprovals: 3 }));
      const outcomes = await Promise.all(['U1', 'U2', 'U3', 'U4', 'U5'].map((u) => store.vote(id, u)));
      expect(outcomes.map((o) => o.kind).sort()).toEqual([
        'approved',
        'counted',
        'counted',
        'not_pending',
        'not_pending',
      ]);
      const approved = outcomes.find((o) => o.kind === 'approved');
      const counted = outcomes.flatMap((o) => (o.kind === 'counted' ? [o.request.approvers] : []));
      // Each vote sees the ones before it: the approval lists all three, the last one its own.
      expect(approved?.request.approvers).toHaveLength(3);
      expect(new Set(approved?.request.approvers)).toEqual(new Set([...counted.flat(), approved?.request.decidedBy]));
      expect((await store.get(id))?.approvers).toEqual(approved?.request.approvers);
    });

    it('rejects and cancels only pending requests, keeping the reason', async () => {
      const { store } = await start();
      const { id } = await store.create(request());
      expect(await store.decide(id, 'rejected', 'U0BOB', 'not during trading')).toMatchObject({
        kind: 'done',
        request: { status: 'rejected', decidedBy: 'U0BOB', decisionReason: 'not during trading' },
      });
      expect((await store.decide(id, 'cancelled', 'U0DAVE')).kind).toBe('not_pending');
      expect((await store.vote(id, 'U0CAROL')).kind).toBe('not_pending');
      expect((await store.vote('apr_000000000000', 'U0CAROL')).kind).toBe('not_found');
      expect((await store.decide('apr_000000000000', 'cancelled', 'U0DAVE')).kind).toBe('not_found');
    });

    it('expires by the clock: a late vote finds it expired, and the sweep expires each request once', async () => {
      const { store } = await start();
      const clicked = await store.create(request());
      const swept = await store.create(
        request({ requestId: 'req_2', channelId: 'C0OTHER', expiresAt: new Date(clock.now().getTime() + MINUTE) }),
      );
      expect((await store.listPending()).map((r) => r.id)).toEqual([clicked.id, swept.id]);
      expect(await store.expireDue()).toEqual([]);
      clock.advance(2 * MINUTE);
      expect((await store.listPending()).map((r) => r.id)).toEqual([clicked.id]);
      const expired = await store.expireDue();
      expect(expired.map((r) => [r.id, r.status])).toEqual([[swept.id, 'expired']]);
      expect(await store.expireDue()).toEqual([]);
      clock.advance(15 * MINUTE);
      expect(await store.vote(clicked.id, 'U0BOB')).toMatchObject({ kind: 'expired', request: { status: 'expired' } });
      expect((await store.decide(clicked.id, 'rejected', 'U0BOB')).kind).toBe('not_pending');
      expect(await store.listPending()).toEqual([]);
    });

    it('finds approved requests left unexecuted since a time, oldest first, and no others', async () => {
      const { store } = await start();
      const first = await store.create(request());
      const second = await store.create(request({ requestId: 'req_2', channelId: 'C0OTHER' }));
      const done = await store.create(request({ requestId: 'req_3', channelId: 'C0THIRD' }));
      await store.create(request({ requestId: 'req_4', channelId: 'C0PENDING' }));
      await store.vote(first.id, 'U0BOB');
      await store.vote(done.id, 'U0BOB');
      await store.finish(done.id, 'executed', 'run started');
      clock.advance(MINUTE);
      await store.vote(second.id, 'U0BOB');
      const cutoff = clock.now();
      clock.advance(MINUTE);
      expect((await store.approvedBefore(cutoff)).map((r) => [r.id, r.status])).toEqual([
        [first.id, 'approved'],
        [second.id, 'approved'],
      ]);
      expect((await store.approvedBefore(new Date(cutoff.getTime() - 1))).map((r) => r.id)).toEqual([first.id]);
      expect(await store.approvedBefore(cutoff, 1)).toHaveLength(1);
      await store.finish(first.id, 'failed', 'interrupted');
      expect((await store.approvedBefore(clock.now())).map((r) => r.id)).toEqual([second.id]);
    });

    it('runs work of one name in one place at a time', async () => {
      const { store } = await start();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = store.exclusively('sweep', async () => {
        // While this runs, the same name elsewhere is turned away; another name is not.
        expect(await store.exclusively('sweep', async () => 'second')).toBeUndefined();
        expect(await store.exclusively('other', async () => 'other')).toBe('other');
        await held;
        return 'first';
      });
      release();
      expect(await first).toBe('first');
      expect(await store.exclusively('sweep', async () => 'again')).toBe('again');
      await expect(store.exclusively('sweep', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await store.exclusively('sweep', async () => 'after a failure')).toBe('after a failure');
    });

    it('lists pending requests oldest first and decided ones newest first, up to a limit', async () => {
      const { store } = await start();
      const ids: string[] = [];
      // Four plans (one request each; the same plan twice would be one request).
      for (let i = 0; i < 4; i++)
        ids.push((await store.create(request({ requestId: `req_${i}`, plan: [{ description: `step ${i}` }] }))).id);
      await store.decide(ids[0]!, 'cancelled', 'U0DAVE');
      await store.decide(ids[2]!, 'rejected', 'U0BOB');
      expect((await store.listPending()).map((r) => r.id)).toEqual([ids[1], ids[3]]);
      expect((await store.listPending(1)).map((r) => r.id)).toEqual([ids[1]]);
      expect((await store.listDecided()).map((r) => r.id)).toEqual([ids[2], ids[0]]);
      expect((await store.listDecided(1)).map((r) => r.id)).toEqual([ids[2]]);
    });
  });
}
