import { AppError } from '../../app-error.ts';
import { buildInput } from './action-input.ts';
import { CommandSyntaxError, tokenize } from './command-parser.ts';
import type { AnyAction } from './define-action.ts';
import type { ActionLookup } from './define-action.ts';

export interface ParsedCommand {
  action: AnyAction;
  input: Record<string, unknown>;
  /** `--break-glass` belongs to the invocation, not to any action's input. */
  breakGlass: boolean;
}

/** `/eafix <text>` → the action it names and its validated input; mistakes are AppErrors with usage. */
export function parseCommand(text: string, registry: ActionLookup): ParsedCommand {
  let words: string[];
  try {
    words = tokenize(text);
  } catch (error) {
    if (error instanceof CommandSyntaxError)
      throw new AppError('invalid_syntax', `I could not read that: ${error.message}.`);
    throw error;
  }
  if (words.length === 0) words = ['help'];
  const resolved = registry.resolve(words);
  if (!resolved) {
    const suggestions = registry.suggest(words);
    throw new AppError('unknown_action', `\`${words[0]}\` is not an EAFIX action.`, {
      hints: [
        suggestions.length ? `Did you mean ${suggestions.map((s) => `\`/eafix ${s}\``).join(' or ')}?` : '',
        'Type `/eafix help` to list every action.',
      ].filter(Boolean),
    });
  }
  const { action } = resolved;
  if (action.typed === false)
    throw new AppError('button_only', `\`${action.id}\` is done with its button, not typed: ${action.summary}.`, {
      hints: [
        'The button binds your decision to the exact message you saw. `/eafix approvals` lists pending requests with their buttons.',
      ],
    });
  const breakGlass = action.kind === 'planned' && resolved.rest.includes('--break-glass');
  const rest = breakGlass ? resolved.rest.filter((w) => w !== '--break-glass') : resolved.rest;
  return { action, input: buildInput(action, rest) as Record<string, unknown>, breakGlass };
}

/** Structured input (a button's value, a modal's fields) read with the action's own schema. */
export function parseStructured(action: AnyAction, raw: Record<string, unknown>): Record<string, unknown> {
  const parsed = action.input.safeParse(raw);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  throw new AppError(
    'invalid_arguments',
    parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '),
  );
}

/**
 * A modal's fields checked with the action's schema, as Slack's `response_action: errors` wants them:
 * the message per block id (the modal names each block after its input key). Empty when valid.
 */
export function formErrors(action: AnyAction, raw: Record<string, unknown>): Record<string, string> {
  const parsed = action.input.safeParse(raw);
  if (parsed.success) return {};
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? 'input');
    errors[key] ??= issue.message;
  }
  return errors;
}
