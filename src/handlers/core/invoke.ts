import type { AuditEntry } from '../../audit/audit-log.ts';
import { AppError } from '../../app-error.ts';
import type { Logger } from '../../logger.ts';
import { HeldAuditRow } from '../../audit/held-audit-row.ts';
import type { ActionDeps } from './action-deps.ts';
import type { ActionContext, AnyAction, Invoker } from './define-action.ts';
import type { ClickOrigin } from './click-origin.ts';
import { errorReply } from './error-reply.ts';
import { invokePlanned, type ApprovalRequester } from './invoke-planned.ts';
import { parseCommand, parseStructured } from './parse-command.ts';
import { context, type Reply } from './reply.ts';

/** What the invocation path needs beyond the actions' own dependencies. */
export interface InvokeDeps {
  deps: ActionDeps;
  /** Asks a second person to approve a plan (the approval service). */
  approvals: ApprovalRequester;
}

export interface InvokeRequest {
  /** Typed text (`/eafix …`), or an action id with structured input (a button, a modal, the App Home). */
  command: { text: string } | { actionId: string; input: Record<string, unknown> };
  invoker: Invoker;
  requestId: string;
  logger: Logger;
  /** The gate could not record this delivery (Redis and PostgreSQL down): only read-only actions run. */
  replayUnverified?: boolean;
  /** Where the pressed button sat (buttons only), for actions that bind a button's value to its message. */
  click?: ClickOrigin;
  /** The surface's own account of infrastructure errors (a click's "cannot vouch for that click"). */
  explainError?: (error: unknown) => unknown;
}

export interface InvokeOutcome {
  reply: Reply;
  /** The action id, or `unknown` when the request named none. */
  action: string;
  outcome: 'ok' | 'invalid' | 'error' | string;
}

const AUDIT_DOWN = 'The audit log (PostgreSQL) is unavailable';

/**
 * The one invocation path, for every surface: parse, authorise, audit, then answer (query and change
 * actions), or plan and ask for approval, run alone under break-glass, or execute (planned actions).
 * For anything that may change the platform the audit row is written before it starts (or, for an action
 * that `recordsStart`, in its change's transaction) and before the outcome is returned, so nothing the
 * person is told has happened is missing from the log; read-only answers do not wait for their row.
 */
export async function invoke(request: InvokeRequest, { deps, approvals }: InvokeDeps): Promise<InvokeOutcome> {
  const { invoker, requestId, logger } = request;
  let action: AnyAction | undefined;
  let args: Record<string, unknown> =
    'text' in request.command ? { text: request.command.text } : request.command.input;
  let result: InvokeOutcome;
  /** The `started` row of an action that records it with its change. */
  let heldStart: HeldAuditRow | undefined;
  try {
    let input: Record<string, unknown>;
    let breakGlass = false;
    if ('text' in request.command) {
      const parsed = parseCommand(request.command.text, deps.registry);
      ({ action, input, breakGlass } = parsed);
    } else {
      action = deps.registry.get(request.command.actionId);
      if (!action)
        throw new AppError(
          'unknown_action',
          `\`${request.command.actionId}\` is not an EAFIX action in this bot version.`,
        );
      input = parseStructured(action, request.command.input);
    }
    args = breakGlass ? { ...input, breakGlass } : input;
    if (request.replayUnverified && action.risk !== 'read') {
      throw new AppError(
        'replay_unverifiable',
        'I cannot check right now that this request is not a replay (Redis and PostgreSQL are unavailable), so I will not change anything. Nothing was changed; try again shortly.',
        { kind: 'upstream' },
      );
    }
    const grant = await deps.authorizer.authorize(invoker, action.permission, action.risk);
    const ctx: ActionContext = { requestId, invoker, logger, deps, ...(request.click ? { click: request.click } : {}) };
    // Opening a form changes nothing: audited as such, the submission is the request.
    const form = action.kind === 'planned' && !breakGlass ? await action.form?.(input, ctx) : undefined;
    if (form) result = { reply: form, action: action.id, outcome: 'form-opened' };
    else {
      if (action.kind === 'change' && action.prepare) {
        ctx.prepared = action.prepare(input, ctx);
        ctx.prepared.catch(() => undefined);
      }
      if (action.risk !== 'read') {
        const started = startEntry(request, action.id, args);
        if (action.kind === 'change' && action.recordsStart) {
          heldStart = new HeldAuditRow(started, deps.audit);
          // Any other row the action records for the request goes after its started row, as ever.
          ctx.deps = { ...deps, audit: heldStart.audit };
          ctx.recordStartWith = heldStart.recordWith(deps.audit);
        } else await recordStart(deps, started);
      }
      const reply =
        action.kind === 'planned'
          ? await invokePlanned(action, input, ctx, grant, breakGlass, approvals)
          : await action.run(input, ctx);
      result = { reply, action: action.id, outcome: 'ok' };
    }
  } catch (error) {
    const reply = errorReply(request.explainError ? request.explainError(error) : error, logger);
    result = {
      reply,
      action: action?.id ?? 'unknown',
      outcome: reply.code === 'internal_error' ? 'error' : `rejected:${reply.code}`,
    };
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
    logger.error(
      { err: error, audit: { action: result.action, outcome: result.outcome, user: invoker.userId, args } },
      'audit log write failed',
    );
  // Read-only (and unrecognised) requests changed nothing: answer now, audit in the next batch. Their
  // answers still help during a database outage, with a note when the last audit write failed.
  if (!action || action.risk === 'read') {
    deps.audit.record(entry).catch(auditFailed);
    logger.info({ action: result.action, outcome: result.outcome, user: invoker.userId }, 'command handled');
    if (!deps.audit.unavailable || result.outcome !== 'ok') return result;
    return withNote(result, `:warning: ${AUDIT_DOWN}; this request was recorded in the bot log instead.`);
  }
  try {
    await heldStart?.recorded(deps.audit);
    await deps.audit.record(entry);
  } catch (error) {
    auditFailed(error);
    // Say what happened: the answer above stands (a change may have been made); only its record is missing.
    return withNote(
      result,
      `:warning: ${AUDIT_DOWN}: the outcome above is recorded in the bot log only, not in the audit log.`,
    );
  }
  logger.info({ action: result.action, outcome: result.outcome, user: invoker.userId }, 'command handled');
  return result;
}

function withNote(result: InvokeOutcome, note: string): InvokeOutcome {
  return {
    ...result,
    reply: {
      ...result.reply,
      text: `${result.reply.text}\n${note}`,
      blocks: [...(result.reply.blocks ?? []), context(note)],
    },
  };
}

/** The row that says a request that may change the platform has started. */
function startEntry(request: InvokeRequest, action: string, args: Record<string, unknown>): AuditEntry {
  return {
    requestId: request.requestId,
    teamId: request.invoker.teamId,
    channelId: request.invoker.channelId,
    userId: request.invoker.userId,
    action,
    arguments: args,
    outcome: 'started',
  };
}

/** Anything that may change the platform is audited before it starts; no audit, no change. */
async function recordStart(deps: ActionDeps, entry: AuditEntry): Promise<void> {
  try {
    await deps.audit.record(entry);
  } catch (error) {
    throw new AppError(
      'audit_unavailable',
      `${AUDIT_DOWN}, so I will not change anything. Nothing was changed; try again shortly.`,
      {
        kind: 'upstream',
        cause: error,
      },
    );
  }
}
