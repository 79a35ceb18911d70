import { AppError } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import type { Invoker } from '../handlers/core/define-action.ts';
import type { Reply } from '../handlers/core/reply.ts';
import { errorReply } from '../handlers/core/error-reply.ts';

/**
 * A quick (run) action from a button or modal, with input already structured: validated by the action's
 * schema, authorised, audited before and after, exactly like the same action typed as a command.
 */
export async function invokeAction(
  deps: ActionDeps,
  actionId: string,
  raw: Record<string, unknown>,
  invoker: Invoker,
  requestId: string,
  logger: Logger,
): Promise<Reply> {
  const action = deps.registry.get(actionId);
  let outcome = 'ok';
  let reply: Reply;
  try {
    if (!action?.run) throw new Error(`no quick action ${actionId}`);
    const parsed = action.input.safeParse(raw);
    if (!parsed.success) throw new AppError('invalid_arguments', parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
    await deps.authorizer.authorize(invoker, action.permission, action.risk);
    const audit = { requestId, teamId: invoker.teamId, channelId: invoker.channelId, userId: invoker.userId, action: actionId, arguments: raw };
    if (action.risk !== 'read') await deps.audit.record({ ...audit, outcome: 'started' });
    reply = await action.run(parsed.data, { requestId, invoker, logger, deps });
  } catch (error) {
    const mapped = errorReply(error, logger);
    outcome = mapped.code === 'internal_error' ? 'error' : `rejected:${mapped.code}`;
    reply = mapped;
  }
  await deps.audit.record({ requestId, teamId: invoker.teamId, channelId: invoker.channelId, userId: invoker.userId, action: actionId, arguments: raw, outcome });
  return reply;
}
