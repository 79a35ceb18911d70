import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { loadPolicy } from '../../src/config/policy.ts';
import { AppError } from '../../src/app-error.ts';
import { createLogger } from '../../src/logger.ts';
import { Authorizer } from '../../src/permissions/authorizer.ts';
import { ApprovalService } from '../../src/permissions/approval-service.ts';
import { approvalBlockId } from '../../src/permissions/approval-message.ts';
import type { ApprovalRequest, ClickOrigin } from '../../src/permissions/approval-types.ts';
import type { SlackDirectory } from '../../src/permissions/directory.ts';
import type { ActionDeps } from '../../src/handlers/core/action-deps.ts';
import type { AuditEntry } from '../../src/audit/audit-log.ts';
import { ActionRegistry } from '../../src/handlers/core/registry.ts';
import { MemoryApprovalStore } from '../support/memory-approval-store.ts';
import { MemoryAuditLog } from '../support/memory-audit-log.ts';

/** The sandbox workspace: @oncall holds bob; alice is an operator, carol a viewer. */
const directory: SlackDirectory = {
  usergroupMembers: async (ref) => (ref.replace(/^@/, '') === 'oncall' ? ['U0BOB'] : []),
  channelName: async (id) => id,
};

const TEAM = 'T0SANDBOX';
const logger = createLogger({ level: 'silent' });
let authorizer: Authorizer;
beforeAll(async () => {
  authorizer = new Authorizer((await loadPolicy(examplePolicyPath)).rbac, directory);
});

/** What reached the audit log and the approval message, in order: a decision is logged before it is shown. */
let events: string[];
let store: MemoryApprovalStore;
let service: ApprovalService;
beforeEach(() => {
  events = [];
  store = new MemoryApprovalStore();
  const audit = new MemoryAuditLog();
  const deps = {
    approvals: store,
    authorizer,
    registry: new ActionRegistry([]),
    now: () => new Date(),
    audit: {
      unavailable: false,
      record: async (entry: AuditEntry) => {
        events.push(`audit ${entry.action}`);
        return audit.record(entry);
      },
    },
    notifier: {
      update: async ({ text }: { text: string }) => {
        events.push(`message ${text.split('\n')[0]}`);
      },
      send: async () => {},
    },
  };
  service = new ApprovalService(deps as unknown as ActionDeps);
});

type MessageClick = Extract<ClickOrigin, { kind: 'message' }>;

async function pending(requester = 'U0DAVE'): Promise<{ request: ApprovalRequest; click: MessageClick }> {
  const created = await store.create({
    action: 'trading stop',
    permission: 'trading.stop',
    arguments: { reason: 'DB migration 42' },
    plan: [{ description: 'set trading: running → stopped' }],
    reason: 'DB migration 42',
    requester,
    teamId: TEAM,
    channelId: 'C0OPS',
    requestId: 'req_test',
    requiredApprovals: 1,
    expiresAt: new Date(Date.now() + 60_000),
  });
  await store.attachMessage(created.id, 'C0OPS', '100.000001');
  const request = (await store.get(created.id))!;
  return { request, click: { kind: 'message', channel: 'C0OPS', ts: '100.000001', blockId: approvalBlockId(request) } };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );
const who = (userId: string, teamId = TEAM) => ({ userId, teamId });

describe('approval decisions', () => {
  it('records a rejection in the audit log before the approval message shows it', async () => {
    const { request } = await pending();
    await service.reject(request.id, who('U0BOB'), 'Not during market hours', 'req_1');
    expect(events).toEqual(['audit approval.rejected', expect.stringMatching(/^message .*[Rr]ejected/)]);
    expect((await store.get(request.id))?.status).toBe('rejected');
  });

  it('records a cancellation before it is shown, and an approval before it is shown', async () => {
    const first = await pending();
    await service.cancel(first.request.id, who('U0DAVE'), 'req_1', first.click);
    expect(events.slice(0, 2)).toEqual(['audit approval.cancelled', expect.stringMatching(/^message /)]);
    events.length = 0;
    const second = await pending();
    await service.approve(second.request.id, who('U0BOB'), 'req_2', logger, second.click);
    expect(events.slice(0, 2)).toEqual(['audit approval.approved', expect.stringMatching(/^message /)]);
  });

  it('decides once: a second rejection, cancel or approval is refused and changes nothing', async () => {
    const { request, click } = await pending();
    await service.reject(request.id, who('U0BOB'), 'Not during market hours', 'req_1');
    events.length = 0;
    expect(await refusal(service.reject(request.id, who('U0ALICE'), 'me too', 'req_2'))).toBe('approval_decided');
    expect(await refusal(service.cancel(request.id, who('U0DAVE'), 'req_3', click))).toBe('approval_decided');
    expect(await refusal(service.approve(request.id, who('U0BOB'), 'req_4', logger, click))).toBe('approval_decided');
    expect(events).toEqual(['audit approval.click-refused']);
    expect((await store.get(request.id))?.decidedBy).toBe('U0BOB');
  });

  it('refuses self-approval, a viewer, a request of another workspace and a click on another message', async () => {
    const { request, click } = await pending();
    expect(await refusal(service.approve(request.id, who('U0DAVE'), 'r', logger, click))).toBe('self_approval');
    expect(await refusal(service.approve(request.id, who('U0CAROL'), 'r', logger, click))).toBe('approval_denied');
    expect(await refusal(service.reject(request.id, who('U0CAROL'), 'no way', 'r'))).toBe('approval_denied');
    expect(await refusal(service.approve(request.id, who('U0BOB', 'T0OTHER'), 'r', logger, click))).toBe(
      'approval_not_found',
    );
    expect(await refusal(service.approve(request.id, who('U0BOB'), 'r', logger, { ...click, ts: '999.1' }))).toBe(
      'approval_not_bound',
    );
    expect(events).toEqual([
      'audit approval.self-approval-refused',
      'audit approval.unauthorised',
      'audit approval.unauthorised',
      'audit approval.click-refused',
    ]);
    expect((await store.get(request.id))?.status).toBe('pending');
  });

  it('gives the reason dialog only to someone who may reject a pending request', async () => {
    const { request, click } = await pending();
    expect(await refusal(service.checkReject(request.id, who('U0CAROL'), 'r', click))).toBe('approval_denied');
    expect(await refusal(service.checkReject(request.id, who('U0BOB'), 'r', click))).toBeUndefined();
    expect(await refusal(service.checkReject(request.id, who('U0DAVE'), 'r', click))).toBeUndefined();
    await service.cancel(request.id, who('U0DAVE'), 'r', click);
    expect(await refusal(service.checkReject(request.id, who('U0BOB'), 'r', click))).toBe('approval_decided');
  });
});
