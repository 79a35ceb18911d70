import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { header, section, type Block } from '../core/reply.ts';
import { breakGlassBlockId } from '../../permissions/break-glass-binding.ts';

export const approvalsReview = defineAction({
  id: 'approvals review',
  kind: 'query',
  chapter: 'Security Incident Response',
  summary: 'Break-glass uses waiting for a second person to review and sign off',
  input: z.object({}),
  risk: 'read',
  permission: 'approvals.review',
  examples: ['approvals review'],
  run: async (_input, { deps }) => {
    const uses = await deps.breakGlass.unreviewed(15);
    if (uses.length === 0) return { text: 'No break-glass uses are waiting for review.' };
    const blocks: Block[] = [header(`${uses.length} break-glass use(s) to review`)];
    for (const use of uses) {
      blocks.push({
        block_id: breakGlassBlockId(use),
        ...section(
          `*\`/eafix ${use.action}\`* by <@${use.usedBy}> at ${use.at.toISOString()}\n*Reason:* ${use.reason}\n*Plan:* ${use.plan.map((p) => p.description).join('; ')}`,
        ),
        accessory: {
          type: 'button',
          action_id: 'breakglass:signoff',
          text: { type: 'plain_text', text: 'Sign off' },
          value: use.id,
        },
      });
    }
    return { text: `${uses.length} break-glass use(s) to review`, blocks };
  },
});
