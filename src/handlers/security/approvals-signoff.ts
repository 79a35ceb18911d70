import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction, type ActionContext } from '../core/define-action.ts';
import { section } from '../core/reply.ts';
import { breakGlassClickMismatch } from '../../permissions/break-glass-binding.ts';
import type { BreakGlassUse } from '../../permissions/approval-types.ts';

/**
 * A Sign off click must come from the review answer that showed this use with this plan: a stale or
 * altered button is refused and audited. Typed, there is no click to bind.
 */
async function refuseUnboundClick(use: BreakGlassUse, { click, deps, invoker, requestId }: ActionContext) {
  if (!click) return;
  const mismatch = breakGlassClickMismatch(use, { blockId: click.blockId, ephemeral: click.kind === 'ephemeral' });
  if (!mismatch) return;
  await deps.audit.record({
    requestId,
    teamId: use.teamId,
    channelId: invoker.channelId,
    userId: invoker.userId,
    action: 'break-glass.click-refused',
    arguments: { use: use.id },
    outcome: 'rejected:not_bound',
    detail: mismatch,
  });
  throw new AppError(
    'break_glass_not_bound',
    'That sign-off button does not match the break-glass use it shows (a stale or altered message). Nothing was signed off; run `/eafix approvals review` again.',
  );
}

/** The second person's sign-off on a break-glass use (the Sign off button of `approvals review`). */
export const approvalsSignoff = defineAction({
  id: 'approvals signoff',
  kind: 'change',
  chapter: 'Security Incident Response',
  summary: 'Sign off a break-glass use as its second person (never the one who used it)',
  positional: ['use'],
  input: z.object({
    use: z
      .string()
      .regex(/^[a-z]+_[A-Za-z0-9]+$/, 'must be a break-glass use id from `/eafix approvals review`')
      .describe('the use id'),
  }),
  risk: 'change',
  permission: 'approvals.review',
  examples: ['approvals signoff bg_3f9a1c2d4e5b'],
  run: async ({ use: id }, ctx) => {
    const { deps, invoker } = ctx;
    const use = await deps.breakGlass.get(id);
    if (!use || use.teamId !== invoker.teamId)
      throw new AppError('break_glass_unknown', 'That break-glass use does not exist.');
    await refuseUnboundClick(use, ctx);
    if (use.usedBy === invoker.userId)
      throw new AppError('break_glass_own_use', 'You cannot review your own break-glass use; a second person must.');
    const reviewed = await deps.breakGlass.review(use.id, invoker.userId, 'signed off in Slack');
    if (!reviewed) {
      const by = use.reviewedBy ?? (await deps.breakGlass.get(use.id))?.reviewedBy;
      throw new AppError('break_glass_reviewed', `Already reviewed by <@${by}>.`);
    }
    const text = `:white_check_mark: Signed off break-glass use \`${use.id}\`.`;
    return { text, blocks: [section(text)] };
  },
});
