import { AppError } from '../../app-error.ts';
import type { ActionContext, AnyPlannedAction, ApprovalMode } from './define-action.ts';
import { executePlanned, refuseIfBusy } from './start-run.ts';
import { context, section, type Reply } from './reply.ts';
import { planText } from '../../permissions/approval-message.ts';
import { alreadyPending } from '../../permissions/request-approval.ts';
import type { Grant } from '../../permissions/authorizer.ts';
import type { ApprovalOptions, ApprovalRequest, PlanItem } from '../../permissions/approval-types.ts';

/** Asks a second person to approve a plan (the approval service). */
export interface ApprovalRequester {
  request(
    action: AnyPlannedAction,
    input: Record<string, unknown>,
    plan: PlanItem[],
    context: ActionContext,
    options?: ApprovalOptions,
  ): Promise<ApprovalRequest>;
}

export function approvalModeOf(action: AnyPlannedAction, input: unknown, plan: PlanItem[]): ApprovalMode {
  const mode = action.approval ?? 'none';
  return typeof mode === 'function' ? mode(input, plan) : mode;
}

/**
 * A planned action from a command: compute the plan, then ask for approval, run it alone under
 * break-glass, or run it straight away when the action needs no second person.
 */
export async function invokePlanned(
  action: AnyPlannedAction,
  input: Record<string, unknown>,
  ctx: ActionContext,
  grant: Grant,
  breakGlass: boolean,
  approvals: ApprovalRequester,
): Promise<Reply> {
  const { deps, invoker } = ctx;
  const plan = await action.plan(input, ctx);
  const mode = approvalModeOf(action, input, plan);

  if (breakGlass) {
    if (!grant.canBreakGlass) {
      throw new AppError('break_glass_denied', 'You may not use --break-glass.', {
        hints: [
          `Break-glass is held by: ${deps.authorizer.breakGlassHolders()}. Ask for a two-person approval instead (drop --break-glass).`,
        ],
      });
    }
    const reason = String(input.reason ?? '');
    if (reason.trim().length < 10)
      throw new AppError(
        'break_glass_reason',
        'Break-glass needs a real reason: `--reason "at least ten characters"`.',
      );
    const use = await deps.breakGlass.record({
      action: action.id,
      arguments: input,
      plan,
      reason,
      usedBy: invoker.userId,
      teamId: invoker.teamId,
      channelId: invoker.channelId,
      requestId: ctx.requestId,
    });
    await deps.audit.record({
      requestId: ctx.requestId,
      teamId: invoker.teamId,
      channelId: invoker.channelId,
      userId: invoker.userId,
      action: 'break-glass',
      arguments: { use: use.id, action: action.id, input },
      outcome: 'review-required',
      detail: reason,
    });
    await deps.notifier.send({
      key: `break-glass:${use.id}`,
      channel: deps.channels.security,
      text: `:rotating_light: BREAK-GLASS: <@${invoker.userId}> ran /eafix ${action.id} without a second person`,
      blocks: [
        section(
          `:rotating_light: *BREAK-GLASS* — <@${invoker.userId}> ran \`/eafix ${action.id}\` without a second person in <#${invoker.channelId}>.\n*Reason:* ${reason}`,
        ),
        section(`*Plan:*\n\`\`\`${planText({ plan }).slice(0, 2900)}\`\`\``),
        context(`Review required: \`/eafix approvals review\` · use \`${use.id}\``),
      ],
    });
    return executePlanned(action, input, { ...ctx, plan, breakGlass: true });
  }

  if (mode === 'two-person') {
    await refuseIfBusy(action, input, plan, deps);
    const request = await approvals.request(action, input, plan, ctx);
    if (alreadyPending(request, ctx)) {
      const asker = request.requester === invoker.userId ? 'you' : `<@${request.requester}>`;
      const where = request.messageChannel ?? invoker.channelId;
      const text = `:lock: This exact plan is already waiting for approval (\`${request.id}\`, asked by ${asker}) in <#${where}>; nothing new was requested. It expires at <!date^${Math.floor(request.expiresAt.getTime() / 1000)}^{time}|${request.expiresAt.toISOString()}>.`;
      return { text, blocks: [section(text)] };
    }
    const text = `:lock: Approval requested (\`${request.id}\`): another authorised person must approve the plan in <#${request.messageChannel ?? invoker.channelId}>. It expires in ${Math.round(deps.authorizer.approvalTtlMs / 60_000)} minutes.`;
    return { text, blocks: [section(text)] };
  }
  return executePlanned(action, input, { ...ctx, plan });
}
