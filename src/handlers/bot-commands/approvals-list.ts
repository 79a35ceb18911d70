import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { context, header, type Block } from '../core/reply.ts';
import { approvalMessage } from '../../permissions/approval-message.ts';

export const approvalsList = defineAction({
  id: 'approvals',
  kind: 'query',
  chapter: 'Bot',
  summary: 'Pending approval requests you may decide, with their buttons',
  input: z.object({}),
  risk: 'read',
  permission: 'approvals.read',
  examples: ['approvals'],
  run: async (_input, { deps, invoker }) => {
    const pending = await deps.approvals.listPending(50);
    const mine: typeof pending = [];
    for (const request of pending) {
      if (request.requester === invoker.userId || request.teamId !== invoker.teamId) continue;
      if ((await deps.authorizer.mayApprove(invoker.userId, request.permission)).allowed) mine.push(request);
    }
    if (mine.length === 0) return { text: 'No pending approval requests for you to decide.' };
    // Four blocks per request: ten fit within Block Kit's 50-block message limit.
    const shown = mine.slice(0, 10);
    const blocks: Block[] = [header(`${mine.length} request(s) waiting for you`)];
    for (const request of shown) blocks.push(...approvalMessage(request).blocks);
    if (mine.length > shown.length) blocks.push(context(`…and ${mine.length - shown.length} more.`));
    return { text: `${mine.length} approval request(s) waiting for you`, blocks };
  },
});
