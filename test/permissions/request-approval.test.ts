/**
 * Asking for an approval of what is already pending: no second request, audited as such, and a message
 * posted only for a request whose own message never made it (its asker stopped between the two).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { approvalMessageKey } from '../../src/permissions/approval-message.ts';
import { requestApproval, type ApprovalDeps, type ApprovalAsk } from '../../src/permissions/request-approval.ts';
import type { AuditEntry } from '../../src/audit/audit-log.ts';
import { MemoryApprovalStore } from '../support/memory-approval-store.ts';

let store: MemoryApprovalStore;
let audited: AuditEntry[];
let posted: string[];
let deps: ApprovalDeps;

beforeEach(() => {
  store = new MemoryApprovalStore();
  audited = [];
  posted = [];
  deps = {
    approvals: store,
    audit: { unavailable: false, record: async (entry: AuditEntry) => void audited.push(entry) },
    notifier: {
      post: async ({ key }: { key: string }) => {
        posted.push(key);
        return { channel: 'C0OPS', ts: `100.00000${posted.length}` };
      },
    },
    authorizer: { requiredApprovers: () => 1, approvalTtlMs: 15 * 60_000 },
    now: () => new Date(),
  } as unknown as ApprovalDeps;
});

const ask = (requestId: string, userId = 'U0DAVE'): ApprovalAsk => ({
  action: { id: 'trading stop', permission: 'trading.stop' },
  input: { reason: 'DB migration 42' },
  plan: [{ description: 'set trading: running → stopped' }],
  invoker: { userId, teamId: 'T0EAFIX', channelId: 'C0OPS' },
  requestId,
});

describe('asking again for what is pending', () => {
  it('gives back the pending request without a second message, audited as already pending', async () => {
    const first = await requestApproval(deps, ask('req_1'));
    await store.attachMessage(first.id, 'C0OPS', '100.000001');
    const again = await requestApproval(deps, ask('req_2', 'U0ALICE'));
    expect(again.id).toBe(first.id);
    expect(posted).toEqual([approvalMessageKey(first.id)]);
    expect(audited.map((e) => [e.action, e.userId])).toEqual([
      ['approval.requested', 'U0DAVE'],
      ['approval.already-pending', 'U0ALICE'],
    ]);
  });

  it('posts the message of a pending request that never got one, under its own key', async () => {
    // The first asker stopped after storing the request, before its message was posted.
    const posting = deps.notifier;
    deps.notifier = {
      post: async () => {
        throw new Error('process stopped');
      },
    } as unknown as ApprovalDeps['notifier'];
    await expect(requestApproval(deps, ask('req_1'))).rejects.toThrow('process stopped');
    const [stored] = await store.listPending();
    deps.notifier = posting;
    const again = await requestApproval(deps, ask('req_2'));
    expect(again.id).toBe(stored!.id);
    expect(posted).toEqual([approvalMessageKey(stored!.id)]);
  });
});
