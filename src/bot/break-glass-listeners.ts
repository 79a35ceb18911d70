import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import { breakGlassClickMismatch } from '../permissions/break-glass-binding.ts';
import { newRequestId } from './slack-http-receiver.ts';

/** "Sign off" on a break-glass use: a second person with approvals.review, never the one who used it. */
export function registerBreakGlassListeners(app: App, deps: ActionDeps, logger: Logger): void {
  app.action<BlockButtonAction>('breakglass:signoff', async ({ ack, body, action, respond, context }) => {
    await ack();
    const requestId = (context.requestId as string | undefined) ?? newRequestId();
    const reviewer = body.user.id;
    const use = await deps.breakGlass.get(action.value ?? '');
    const container = body.container as { is_ephemeral?: boolean };
    const mismatch = use && breakGlassClickMismatch(use, { blockId: action.block_id, ephemeral: container.is_ephemeral === true });
    let notice: string;
    if (!use || use.teamId !== (body.team?.id ?? body.user.team_id)) notice = 'That break-glass use does not exist.';
    else if (mismatch) {
      await deps.audit.record({ requestId, teamId: use.teamId, channelId: body.channel?.id, userId: reviewer, action: 'break-glass.click-refused', arguments: { use: use.id }, outcome: 'rejected:not_bound', detail: mismatch });
      notice = ':no_entry: That sign-off button does not match the break-glass use it shows (a stale or altered message). Nothing was signed off; run `/eafix approvals review` again.';
    } else if (use.usedBy === reviewer) notice = ':no_entry: You cannot review your own break-glass use; a second person must.';
    else if (!(await deps.authorizer.mayRun(reviewer, 'approvals.review'))) notice = `:no_entry: Reviewing needs \`approvals.review\` (${deps.authorizer.holders('approvals.review')}).`;
    else {
      const reviewed = await deps.breakGlass.review(use.id, reviewer, 'signed off in Slack');
      notice = reviewed ? `:white_check_mark: Signed off break-glass use \`${use.id}\`.` : `Already reviewed by <@${use.reviewedBy ?? (await deps.breakGlass.get(use.id))?.reviewedBy}>.`;
      if (reviewed) {
        await deps.audit.record({ requestId, teamId: use.teamId, channelId: use.channelId, userId: reviewer, action: 'break-glass.review', arguments: { use: use.id }, outcome: 'ok' });
      }
    }
    logger.info({ requestId, use: action.value, reviewer }, 'break-glass review click');
    await respond({ response_type: 'ephemeral', replace_original: false, text: notice });
  });
}
