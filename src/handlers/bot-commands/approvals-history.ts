import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { sections } from '../core/reply.ts';

export const approvalsHistory = defineAction({
  id: 'approvals history',
  kind: 'query',
  chapter: 'Bot',
  summary: 'Recent approval decisions: who asked, who decided, and how it ended',
  input: z.object({ limit: z.coerce.number().int().min(1).max(50).default(15) }),
  risk: 'read',
  permission: 'approvals.read',
  examples: ['approvals history', 'approvals history --limit=30'],
  run: async ({ limit }, { deps }) => {
    const decided = await deps.approvals.listDecided(limit);
    if (decided.length === 0) return { text: 'No approval decisions yet.' };
    const lines = decided.map((r) => {
      const by = r.approvers.length
        ? r.approvers.map((a) => `<@${a}>`).join(', ')
        : r.decidedBy
          ? `<@${r.decidedBy}>`
          : '—';
      return `• \`${r.id}\` \`/eafix ${r.action}\` by <@${r.requester}> → *${r.status}* (${by}) ${r.createdAt.toISOString().slice(0, 16).replace('T', ' ')}Z`;
    });
    const text = `*Recent approvals*\n${lines.join('\n')}`;
    return { text, blocks: sections(text) };
  },
});
