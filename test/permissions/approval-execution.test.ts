import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import type { ActionDeps } from '../../src/handlers/core/action-deps.ts';
import { createLogger } from '../../src/logger.ts';
import { executeApproved, type RequestAgain } from '../../src/permissions/approval-execution.ts';
import type { ApprovalRequest, PlanItem } from '../../src/permissions/approval-types.ts';
import { planHash } from '../../src/permissions/plan-hash.ts';

const plan: PlanItem[] = [{ description: 'stop trading gracefully in production' }];
const request = {
  id: 'apr_1',
  action: 'trading stop',
  permission: 'trading.stop',
  requester: 'U0DAVE',
  teamId: 'T1',
  channelId: 'C0OPS',
  planHash: planHash(plan),
  approvers: ['U0BOB'],
  arguments: {},
} as unknown as ApprovalRequest;

/** executeApproved with its dependencies faked; `authorize` as the requester's rights stand now. */
async function execute(authorize: () => Promise<unknown>, requester = 'U0DAVE') {
  const executed: string[] = [];
  const finished: string[] = [];
  const replies: string[] = [];
  const action = {
    kind: 'planned',
    id: 'trading stop',
    permission: 'trading.stop',
    risk: 'destructive',
    execute: async () => {
      executed.push('trading stop');
      return { text: 'stopped' };
    },
  };
  const deps = {
    authorizer: { authorize },
    audit: { record: async () => undefined },
    approvals: {
      get: async () => request,
      finish: async (_id: string, status: string, result: string) => void finished.push(`${status}: ${result}`),
    },
    notifier: {
      update: async () => undefined,
      send: async (message: { text: string }) => void replies.push(message.text),
    },
  } as unknown as ActionDeps;
  const logger = createLogger({ level: 'silent' });
  const planning = Promise.resolve({ action, input: {}, context: { requestId: 'req', logger, deps }, plan });
  await executeApproved(
    deps,
    { ...request, requester, messageChannel: 'C0OPS', messageTs: '1.1' } as ApprovalRequest,
    { requestId: 'req', logger },
    planning as never,
    (() => Promise.reject(new Error('not asked again'))) as RequestAgain,
  );
  return { executed, finished, replies };
}

describe('executing an approved request', () => {
  it('runs it while the requester still holds the permission', async () => {
    const { executed, finished } = await execute(async () => ({ roles: ['operator'], canBreakGlass: false }));
    expect(executed).toEqual(['trading stop']);
    expect(finished).toEqual(['executed: stopped']);
  });

  it('does not run it once the requester lost the permission, and says so in the thread', async () => {
    const { executed, finished, replies } = await execute(() =>
      Promise.reject(new AppError('permission_denied', 'You need the `trading.stop` permission for that.')),
    );
    expect(executed).toEqual([]);
    expect(finished).toEqual([
      'failed: <@U0DAVE>, who asked for it, no longer holds `trading.stop`, so it was not run. Nothing was changed.',
    ]);
    expect(replies.join('\n')).toContain('no longer holds `trading.stop`');
  });

  it("runs what the bot's own schedule asked for (not a Slack user: its authority is the policy's)", async () => {
    const { executed } = await execute(
      () => Promise.reject(new AppError('permission_denied', 'You need the `trading.stop` permission for that.')),
      'eafix-schedule',
    );
    expect(executed).toEqual(['trading stop']);
  });
});
