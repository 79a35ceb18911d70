import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { errorReply } from '../handlers/core/error-reply.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import { PAUSE_ACTION_PREFIX, optionLabel, pauseActionPattern } from '../jobs/pause-message.ts';
import { failClosed } from './fail-closed.ts';
import { requestScope, type BotServices } from './request-scope.ts';

/**
 * The buttons on a paused run's question (Retry step / Roll back / Abort; Continue / Roll back). Who may
 * decide: anyone who may run the run's action (its permission, e.g. `deploy.run`), the requester
 * included; no second approval, since every option is the approved change, its inverse or a stop.
 * Read-only users and anything that cannot be checked are refused (fail closed). Every click is
 * audited (`run.decide`: ok, denied, already-decided, stale). The first decision wins; later clicks
 * are told who decided what.
 */
export async function decideOnPause(
  deps: Pick<ActionDeps, 'runs' | 'registry' | 'authorizer' | 'audit'>,
  click: { pauseId: string; optionId: string; userId: string; teamId: string; channelId: string; requestId: string },
): Promise<string> {
  const audit = (outcome: string, detail: string, args: Record<string, unknown> = {}) =>
    deps.audit.record({
      requestId: click.requestId,
      teamId: click.teamId,
      channelId: click.channelId,
      userId: click.userId,
      action: 'run.decide',
      arguments: { pause: click.pauseId, option: click.optionId, ...args },
      outcome,
      detail,
    });
  const pause = await deps.runs.getPause(click.pauseId);
  const run = pause && (await deps.runs.get(pause.runId));
  if (!pause || !run) {
    await audit('invalid', 'no such pause');
    return 'That decision button is stale or altered (no such paused run). Nothing was done.';
  }
  const permission = deps.registry.get(run.action)?.permission;
  if (!permission || !(await deps.authorizer.mayRun(click.userId, permission))) {
    await audit('denied', `needs ${permission ?? 'a known action'}`, { run: run.id });
    return `:no_entry: Only people who may run \`${run.action}\` (permission \`${permission ?? 'unknown'}\`) can decide on run \`${run.id}\`; you may only look. Ask one of: ${permission ? deps.authorizer.holders(permission) : 'an operator'}.`;
  }
  const result = await deps.runs.decide(click.pauseId, click.optionId, click.userId);
  switch (result.outcome) {
    case 'decided':
      await audit('ok', optionLabel(result.pause, click.optionId), { run: run.id });
      return `:ballot_box_with_check: Recorded: *${optionLabel(result.pause, click.optionId)}* for run \`${run.id}\`; it resumes now.`;
    case 'already-decided': {
      const first = result.pause.decision;
      await audit('already-decided', `decided before by ${first?.decidedBy ?? '?'}`, { run: run.id });
      return `Already decided: <@${first?.decidedBy ?? '?'}> chose *${optionLabel(result.pause, first?.optionId ?? '')}* for run \`${run.id}\`. Your click changed nothing.`;
    }
    default:
      await audit('invalid', result.outcome, { run: run.id });
      return 'That decision button is stale or altered (no such option). Nothing was done.';
  }
}

export function registerRunPauseListeners(app: App, { deps }: BotServices, baseLogger: Logger): void {
  app.action<BlockButtonAction>(pauseActionPattern, async ({ ack, body, action, context }) => {
    await ack();
    const { requestId, logger } = requestScope(context, baseLogger);
    const container = body.container as { channel_id?: string };
    const channelId = body.channel?.id ?? container.channel_id ?? '';
    let text: string;
    try {
      text = await decideOnPause(deps, {
        pauseId: action.value ?? '',
        optionId: action.action_id.slice(PAUSE_ACTION_PREFIX.length),
        userId: body.user.id,
        teamId: body.team?.id ?? body.user.team_id ?? '',
        channelId,
        requestId,
      });
    } catch (error) {
      text = errorReply(failClosed(error), logger).text;
    }
    if (channelId) await deps.notifier.ephemeral({ channel: channelId, user: body.user.id, text });
  });
}
