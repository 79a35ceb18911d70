import { AppError } from '../../app-error.ts';
import type { ActionContext, ExecuteContext } from './define-action.ts';
import type { PlanItem } from '../../permissions/approval-types.ts';
import { section, type Reply } from './reply.ts';

/** A platform switch (trading, maintenance mode) and how to describe its states. */
export interface SwitchSpec<T> {
  key: string;
  initial: T;
  describe: (value: T) => string;
}

/** Plans a switch change from its current value; refuses when there is nothing to change. */
export async function planSwitch<T>(spec: SwitchSpec<T>, next: T, context: ActionContext): Promise<PlanItem[]> {
  const current = await context.deps.platform.get(spec.key, spec.initial);
  if (spec.describe(current.value) === spec.describe(next)) {
    const since = current.updatedBy ? ` (set by <@${current.updatedBy}>)` : '';
    throw new AppError('nothing_to_change', `${spec.key} is already ${spec.describe(next)}${since}. Nothing to do.`);
  }
  return [
    {
      description: `set ${spec.key}: ${spec.describe(current.value)} → ${spec.describe(next)}`,
      change: { key: spec.key, from: current.value as unknown, to: next as unknown },
    },
  ];
}

/** Applies exactly the planned change, or refuses if the switch moved since the plan was made. */
export async function applySwitch<T>(spec: SwitchSpec<T>, context: ExecuteContext, announce: string): Promise<Reply> {
  const change = context.plan[0]?.change as { from: T; to: T } | undefined;
  if (!change) throw new AppError('bad_plan', 'The plan is empty; nothing was changed.');
  const applied = await context.deps.platform.compareAndSet(
    spec.key,
    change.from,
    change.to,
    context.invoker.userId,
    context.requestId,
  );
  if (!applied)
    throw new AppError(
      'plan_drift',
      `${spec.key} changed while this was waiting; nothing was changed. Check \`/eafix status\` and ask again.`,
    );
  const how = context.breakGlass
    ? ' — :rotating_light: break-glass, review pending'
    : context.approvers?.length
      ? ` — approved by ${context.approvers.map((a) => `<@${a}>`).join(', ')}`
      : '';
  await context.deps.notifier.send({
    key: `announce:${context.requestId}`,
    channel: context.deps.channels.ops,
    text: `${announce}${how}`,
    blocks: [section(`${announce}${how}`)],
  });
  const text = `:white_check_mark: ${spec.key} is now ${spec.describe(change.to)}.`;
  return { text, blocks: [section(text)], visibility: 'in_channel' };
}
