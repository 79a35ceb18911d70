import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
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
import type { AnyAction } from '../../src/handlers/core/define-action.ts';
import type { AppendAudit, AuditEntry, RecordAuditWith } from '../../src/audit/audit-log.ts';
import { ActionRegistry } from '../../src/handlers/core/registry.ts';
import { MemoryApprovalStore } from '../support/memory-approval-store.ts';
import { MemoryAuditLog, NO_TRANSACTION } from '../support/memory-audit-log.ts';

/** The sandbox workspace: @oncall holds bob; alice is an operator, carol a viewer. */
const directory: SlackDirectory = {
  usergroupMembers: async (ref) => (ref.replace(/^@/, '') === 'oncall' ? ['U0BOB'] : []),
  // #eafix-ops, where trading.* may be used (the policy's channel restriction).
  channelName: async (id) => (id === 'C0OPS' ? 'eafix-ops' : id),
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
let deps: Record<string, unknown>;
/** Holds the approved action's plan (its read of the cluster) until released. */
let releasePlan: () => void;
let planHeld: Promise<void>;
const tradingStop = {
  id: 'trading stop',
  kind: 'planned',
  permission: 'trading.stop',
  input: { parse: (input: unknown) => input },
  plan: async () => {
    await planHeld;
    return [{ description: 'set trading: running → stopped' }];
  },
  execute: async () => {
    events.push('executed');
    return { text: 'trading stopped' };
  },
};
/** The same plan carried out as a resumable run (in the approval's thread). */
const tradingStopRun = {
  ...tradingStop,
  id: 'trading stop as a run',
  steps: [{ id: 'stop', title: 'Stop trading', run: async () => {} }],
};
beforeEach(() => {
  events = [];
  planHeld = new Promise((resolve) => (releasePlan = resolve));
  releasePlan();
  store = new MemoryApprovalStore();
  const audit = new MemoryAuditLog();
  deps = {
    approvals: store,
    authorizer,
    registry: new ActionRegistry([tradingStop, tradingStopRun] as unknown as AnyAction[]),
    now: () => new Date(),
    audit: {
      unavailable: false,
      record: async (entry: AuditEntry) => {
        events.push(`audit ${entry.action}`);
        return audit.record(entry);
      },
      recordWith: async <T>(entries: AuditEntry[], change: (append: AppendAudit) => Promise<T>) =>
        change(async () => {
          for (const entry of entries) events.push(`audit ${entry.action} (in the change's transaction)`);
        }),
    },
    runs: {
      start: async (_kind: unknown, _request: unknown, recordWith?: RecordAuditWith) => {
        const create = async () => {
          events.push('run created');
          return { runId: 'run_1', created: true };
        };
        return recordWith ? recordWith(async (append) => (await append(NO_TRANSACTION), create())) : create();
      },
    },
    notifier: {
      update: async ({ text }: { text: string }) => {
        events.push(`message ${text.split('\n')[0]}`);
      },
      send: async ({ text }: { text: string }) => {
        events.push(`post ${text.split('\n')[0]}`);
      },
    },
  };
  service = new ApprovalService(deps as unknown as ActionDeps);
});

type MessageClick = Extract<ClickOrigin, { kind: 'message' }>;

async function pending(
  requester = 'U0DAVE',
  action = 'trading stop',
  { posted = true } = {},
): Promise<{ request: ApprovalRequest; click: MessageClick }> {
  const created = await store.create({
    action,
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
  if (posted) await store.attachMessage(created.id, 'C0OPS', '100.000001');
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
  it('marks an approved action that runs at once failed, outcome unknown, once a stopped process left it 10 minutes', async () => {
    const { request } = await pending();
    // The process that counted the vote stopped before executing it (or while it did).
    expect(await store.vote(request.id, 'U0BOB')).toMatchObject({ kind: 'approved' });
    const later = (ms: number) =>
      new ApprovalService({ ...deps, now: () => new Date(Date.now() + ms) } as unknown as ActionDeps);
    expect(await later(2 * 60_000).resumeInterrupted(logger)).toBe(0);
    expect((await store.get(request.id))?.status).toBe('approved');
    expect(events).toEqual([]);
    expect(await later(11 * 60_000).resumeInterrupted(logger)).toBe(1);
    const after = await store.get(request.id);
    expect(after?.status).toBe('failed');
    expect(after?.result).toContain('whether it took effect is unknown');
    // The approval's own row would have come with its execution: the sweep writes it, before the outcome.
    expect(events).toEqual([
      'audit approval.approved',
      'audit approval.interrupted',
      expect.stringMatching(/^message /),
    ]);
    expect(await later(12 * 60_000).resumeInterrupted(logger)).toBe(0);
  });

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
    const messages = events.filter((e) => e.startsWith('message '));
    expect(events.indexOf('audit approval.approved')).toBe(0);
    // It acts at once (no run to carry the row): the row comes before it does anything.
    expect(events.indexOf('audit approval.approved')).toBeLessThan(events.indexOf('executed'));
    expect(events.indexOf('audit approval.approved')).toBeLessThan(events.indexOf(messages[0] ?? 'none'));
    // A quick execution goes from "pending" straight to its outcome: one edit of the message, not two.
    expect(messages).toEqual([expect.stringMatching(/^message Approval executed:/)]);
  });

  it("writes the approval's row in the transaction that creates the run it starts in its thread", async () => {
    const { request, click } = await pending('U0DAVE', 'trading stop as a run');
    await service.approve(request.id, who('U0BOB'), 'req_run', logger, click);
    expect(events.slice(0, 3)).toEqual([
      "audit approval.approved (in the change's transaction)",
      'run created',
      'audit execute',
    ]);
    expect(events.filter((e) => e.startsWith('audit approval.approved'))).toHaveLength(1);
  });

  it("writes the approval's row first for a run without the approval's thread (it posts before its run)", async () => {
    const { request } = await pending('U0DAVE', 'trading stop as a run', { posted: false });
    // Approved from the App Home: the request's message never reached Slack.
    const blockId = approvalBlockId(request);
    await service.approve(request.id, who('U0BOB'), 'req_home', logger, {
      kind: 'view',
      viewType: 'home',
      viewBlockIds: [blockId],
      blockId,
    });
    expect(events.slice(0, 3)).toEqual([
      'audit approval.approved',
      expect.stringMatching(/^post :arrow_forward: `\/eafix trading stop as a run` started by/),
      'run created',
    ]);
    expect(events.filter((e) => e.startsWith('audit approval.approved'))).toHaveLength(1);
  });

  it('shows "approved" meanwhile when the approved plan is slow to read again, then its outcome', async () => {
    planHeld = new Promise((resolve) => (releasePlan = resolve));
    const { request, click } = await pending();
    const approving = service.approve(request.id, who('U0BOB'), 'req_slow', logger, click);
    await vi.waitFor(
      () => expect(events).toContain('message Approval approved: /eafix trading stop requested by <@U0DAVE>'),
      {
        timeout: 5_000,
      },
    );
    // Not shown before it is audited: the approval's row, held for its execution, is written first.
    expect(events.slice(0, 2)).toEqual([
      'audit approval.approved',
      'message Approval approved: /eafix trading stop requested by <@U0DAVE>',
    ]);
    releasePlan();
    await approving;
    expect(events.filter((e) => e === 'audit approval.approved')).toHaveLength(1);
    const messages = events.filter((e) => e.startsWith('message '));
    expect(messages).toEqual([
      expect.stringMatching(/^message Approval approved:/),
      expect.stringMatching(/^message Approval executed:/),
    ]);
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
