import { describe, expect, it } from 'vitest';
import { approvalMessage, parseApprovalBlockId } from '../../src/permissions/approval-message.ts';
import type { ApprovalRequest } from '../../src/permissions/approval-types.ts';
import { planHash } from '../../src/permissions/plan-hash.ts';
import { validateMessageBlocks, validateView } from '@eafix/sandbox/slack';

function request(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  const plan = overrides.plan ?? [{ description: 'set trading: running → stopped' }];
  return {
    id: 'apr_0123456789ab',
    action: 'trading stop',
    permission: 'trading.stop',
    arguments: {},
    plan,
    planHash: planHash(plan),
    reason: 'DB migration 42',
    requester: 'U0DAVE',
    teamId: 'T0EAFIX',
    channelId: 'C0OPS',
    requestId: 'req_1',
    requiredApprovals: 1,
    status: 'pending',
    createdAt: new Date(0),
    expiresAt: new Date(900_000),
    approvers: [],
    ...overrides,
  };
}

describe('approval message within Block Kit limits', () => {
  it('shortens a 10 kB reason and a huge plan visibly and stays valid', () => {
    const plan = Array.from({ length: 400 }, (_, i) => ({ description: `scale deployment eafix-service-${i} 3→0` }));
    const message = approvalMessage(request({ reason: 'r'.repeat(10_000), plan, planHash: planHash(plan) }));
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('shortened: 10000 characters in all');
    expect(text).toMatch(/shortened: \d+ characters in all/);
  });

  it('escapes the reason so it cannot mention @channel or forge a link', () => {
    const text = JSON.stringify(
      approvalMessage(request({ reason: '<!channel> see <https://evil.example|docs> & more' })).blocks,
    );
    expect(text).toContain('&lt;!channel&gt; see &lt;https://evil.example|docs&gt; &amp; more');
  });

  it('binds the buttons to the request and its plan with a block id unique per request', () => {
    const blocks = approvalMessage(request()).blocks;
    const actions = blocks.find((b) => b.type === 'actions')!;
    expect(parseApprovalBlockId(String(actions.block_id))).toEqual({
      id: 'apr_0123456789ab',
      planHash: planHash(request().plan).slice(0, 16),
    });
  });

  it('fits five pending approvals in one App Home view', () => {
    const five = Array.from({ length: 5 }, (_, i) => request({ id: `apr_00000000000${i}` }));
    const view = { type: 'home', blocks: five.flatMap((r) => approvalMessage(r).blocks) };
    expect(validateView(view)).toEqual([]);
  });
});
