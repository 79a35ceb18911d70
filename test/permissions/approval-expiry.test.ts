import { describe, expect, it } from 'vitest';
import type { ActionDeps } from '../../src/handlers/core/action-deps.ts';
import { ApprovalService } from '../../src/permissions/approval-service.ts';
import type { ApprovalRequest } from '../../src/permissions/approval-types.ts';

const expired = (id: string): ApprovalRequest =>
  ({
    id,
    requestId: `req_${id}`,
    teamId: 'T1',
    channelId: 'C0OPS',
    action: 'trading stop',
    planHash: 'h',
  }) as ApprovalRequest;

describe('the approval expiry sweep', () => {
  it("audits every expired request even when one's audit row fails, then names the one that failed", async () => {
    const audited: string[] = [];
    const deps = {
      approvals: { expireDue: async () => [expired('apr_1'), expired('apr_2'), expired('apr_3')] },
      audit: {
        record: async (entry: { arguments: { approval: string } }) => {
          if (entry.arguments.approval === 'apr_2') throw new Error('connection terminated');
          audited.push(entry.arguments.approval);
        },
      },
      notifier: { update: async () => undefined },
    } as unknown as ActionDeps;

    await expect(new ApprovalService(deps).expireDue()).rejects.toThrow(/apr_2 \(connection terminated\)/);
    expect(audited).toEqual(['apr_1', 'apr_3']);
  });
});
