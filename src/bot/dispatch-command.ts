import { AppError } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import type { Invoker } from '../handlers/core/define-action.ts';
import { buildInput } from '../handlers/core/action-input.ts';
import { context, type Reply } from '../handlers/core/reply.ts';
import { CommandSyntaxError, tokenize } from '../handlers/core/command-parser.ts';
import { errorReply } from '../handlers/core/error-reply.ts';
import { invokePlanned } from '../handlers/core/invoke-planned.ts';

export interface CommandRequest {
  text: string;
  invoker: Invoker;
  requestId: string;
  logger: Logger;
  /** The gate could not record this delivery (Redis and PostgreSQL down): only read-only actions run. */
  replayUnverified?: boolean;
}

export interface CommandOutcome {
  reply: Reply;
  /** The action id, or `unknown` when the text named none. */
  action: string;
  outcome: 'ok' | 'invalid' | 'error' | string;
}

/**
 * `/eafix <text>` from any surface: parse, validate, run, audit. For anything that may change the
 * platform the audit row is written before the outcome is returned, so nothing the person is told has
 * happened is missing from the log; read-only answers do not wait for their row.
 */
export async function dispatchCommand(request: CommandRequest, deps: ActionDeps): Promise<CommandOutcome> {
  const { invoker, requestId, logger } = request;
  let action = 'unknown';
  let args: Record<string, unknown> = { text: request.text };
  let result: CommandOutcome;
  try {
    let words: string[];
    try {
      words = tokenize(request.text);
    } catch (error) {
      if (error instanceof CommandSyntaxError) throw new AppError('invalid_syntax', `I could not read that: ${error.message}.`);
      throw error;
    }
    if (words.length === 0) words = ['help'];
    const resolved = deps.registry.resolve(words);
    if (!resolved) {
      const suggestions = deps.registry.suggest(words);
      throw new AppError('unknown_action', `\`${words[0]}\` is not an EAFIX action.`, {
        hints: [
          suggestions.length ? `Did you mean ${suggestions.map((s) => `\`/eafix ${s}\``).join(' or ')}?` : '',
          'Type `/eafix help` to list every action.',
        ].filter(Boolean),
      });
    }
    action = resolved.action.id;
    const planned = Boolean(resolved.action.plan);
    // --break-glass belongs to the invocation, not to any action's input.
    const breakGlass = planned && resolved.rest.includes('--break-glass');
    const rest = breakGlass ? resolved.rest.filter((w) => w !== '--break-glass') : resolved.rest;
    const input = buildInput(resolved.action, rest) as Record<string, unknown>;
    args = breakGlass ? { ...input, breakGlass } : input;
    if (request.replayUnverified && resolved.action.risk !== 'read') {
      throw new AppError(
        'replay_unverifiable',
        'I cannot check right now that this request is not a replay (Redis and PostgreSQL are unavailable), so I will not change anything. Nothing was changed; try again shortly.',
        { kind: 'upstream' },
      );
    }
    const grant = await deps.authorizer.authorize(invoker, resolved.action.permission, resolved.action.risk);
    if (resolved.action.risk !== 'read') await recordStart(deps, request, action, args);
    const context = { requestId, invoker, logger, deps };
    const reply = planned
      ? await invokePlanned(resolved.action, input, context, grant, breakGlass)
      : await resolved.action.run!(input, context);
    result = { reply, action, outcome: 'ok' };
  } catch (error) {
    const reply = errorReply(error, logger);
    result = { reply, action, outcome: reply.code === 'internal_error' ? 'error' : `rejected:${reply.code}` };
  }
  const entry = {
    requestId,
    teamId: invoker.teamId,
    channelId: invoker.channelId,
    userId: invoker.userId,
    action: result.action,
    arguments: args,
    outcome: result.outcome,
  };
  const auditFailed = (error: unknown) =>
    logger.error({ err: error, audit: { action: result.action, outcome: result.outcome, user: invoker.userId, args } }, 'audit log write failed');
  // Read-only (and unrecognised) commands changed nothing: answer now, audit in the next batch. Their
  // answers still help during a database outage, with a note when the last audit write failed.
  if (deps.registry.get(result.action)?.risk === 'read' || result.action === 'unknown') {
    deps.audit.record(entry).catch(auditFailed);
    logger.info({ action: result.action, outcome: result.outcome, user: invoker.userId }, 'command handled');
    if (!deps.audit.unavailable || result.outcome !== 'ok') return result;
    const warning = ':warning: The audit log (PostgreSQL) is unavailable; this request was recorded in the bot log instead.';
    return { ...result, reply: { ...result.reply, text: `${result.reply.text}\n${warning}`, blocks: [...(result.reply.blocks ?? []), context(warning)] } };
  }
  try {
    await deps.audit.record(entry);
  } catch (error) {
    auditFailed(error);
    const reply = errorReply(
      new AppError('audit_unavailable', 'The audit log (PostgreSQL) is unavailable, so I cannot vouch for that command. Nothing was changed; try again shortly.', { kind: 'upstream' }),
      logger,
    );
    return { reply, action: result.action, outcome: 'error' };
  }
  logger.info({ action: result.action, outcome: result.outcome, user: invoker.userId }, 'command handled');
  return result;
}

/** Anything that may change the platform is audited before it starts; no audit, no change. */
async function recordStart(deps: ActionDeps, request: CommandRequest, action: string, args: Record<string, unknown>): Promise<void> {
  try {
    await deps.audit.record({
      requestId: request.requestId,
      teamId: request.invoker.teamId,
      channelId: request.invoker.channelId,
      userId: request.invoker.userId,
      action,
      arguments: args,
      outcome: 'started',
    });
  } catch (error) {
    throw new AppError('audit_unavailable', 'The audit log (PostgreSQL) is unavailable, so I will not change anything. Nothing was changed; try again shortly.', {
      kind: 'upstream',
      cause: error,
    });
  }
}
