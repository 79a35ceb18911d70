import { AppError } from '../../app-error.ts';
import { CommandSyntaxError, parseWords } from './command-parser.ts';
import type { AnyAction } from './define-action.ts';
import { actionFields, fromFlag, typedFields, usageLine } from './action-fields.ts';

export function usageHints(action: AnyAction): string[] {
  const example = action.examples[0];
  return [`Usage: \`${usageLine(action)}\``, ...(example ? [`Example: \`/eafix ${example}\``] : [])];
}

function invalid(action: AnyAction, problem: string): AppError {
  return new AppError('invalid_arguments', problem, { hints: usageHints(action) });
}

function coerce(value: string | true, type: string): unknown {
  if (value === true) return true;
  if (type === 'boolean') {
    if (/^(true|yes|on)$/i.test(value)) return true;
    if (/^(false|no|off)$/i.test(value)) return false;
    return value;
  }
  if ((type === 'number' || type === 'integer') && value.trim() !== '' && !Number.isNaN(Number(value)))
    return Number(value);
  if (type === 'array')
    return value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  return value;
}

/** Builds and validates an action's input from the words after its id. */
export function buildInput(action: AnyAction, rest: string[]): unknown {
  const fields = actionFields(action);
  const byFlag = new Map(fields.map((f) => [f.flag, f]));
  let parsed;
  try {
    parsed = parseWords(rest, (flag) => {
      const type = byFlag.get(flag)?.type;
      return type !== undefined && type !== 'boolean';
    });
  } catch (error) {
    if (error instanceof CommandSyntaxError) throw invalid(action, `I could not read that: ${error.message}.`);
    throw error;
  }
  const raw: Record<string, unknown> = {};
  for (const [flag, value] of parsed.options) {
    const field = byFlag.get(flag) ?? byFlag.get(fromFlag(flag));
    if (field?.setByPlan)
      throw invalid(
        action,
        `\`--${field.flag}\` is set from the plan two people approve, not typed: leave it out, and the plan shows what it will be.`,
      );
    if (!field) {
      const known = typedFields(action)
        .filter((f) => !f.positional)
        .map((f) => `--${f.flag}`);
      throw invalid(
        action,
        `\`--${flag}\` is not an option of \`${action.id}\`.${known.length ? ` Options: ${known.join(', ')}.` : ''}`,
      );
    }
    raw[field.key] = coerce(value, field.type);
  }
  const positionals = fields.filter((f) => f.positional);
  if (action.positionalRest && parsed.words.length > positionals.length && positionals.length > 0) {
    const keep = positionals.length - 1;
    parsed.words = [...parsed.words.slice(0, keep), parsed.words.slice(keep).join(' ')];
  }
  if (parsed.words.length > positionals.length) {
    const extra = parsed.words
      .slice(positionals.length)
      .map((w) => `\`${w}\``)
      .join(' ');
    throw invalid(
      action,
      `Unexpected ${extra}: \`${action.id}\` takes ${positionals.length === 0 ? 'no words, only options' : `${positionals.length} word(s)`}. Quote text with spaces.`,
    );
  }
  parsed.words.forEach((word, i) => {
    const field = positionals[i] as (typeof positionals)[number];
    if (field.key in raw) throw invalid(action, `\`${field.flag}\` is given twice (as a word and as --${field.flag}).`);
    raw[field.key] = coerce(word, field.type);
  });

  const result = action.input.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const field = fields.find((f) => f.key === key);
    const name = field ? (field.positional ? `<${field.flag}>` : `--${field.flag}`) : 'input';
    // What was typed (zod 4 does not put it on the issue): absent is "required", anything else the wrong kind.
    const given = raw[key];
    if (issue.code === 'invalid_type' && given === undefined) return `${name} is required`;
    if (issue.code === 'invalid_type' && field) {
      const typed = `\`${String(given).replaceAll('`', "'").slice(0, 40)}\``;
      if (field.type === 'integer') return `${name} must be a whole number, not ${typed}`;
      if (field.type === 'number') return `${name} must be a number, not ${typed}`;
      if (field.type === 'boolean') return `${name} must be true or false, not ${typed}`;
    }
    if (field?.choices && issue.code === 'invalid_value') return `${name} must be one of ${field.choices.join(', ')}`;
    return `${name}: ${issue.message}`;
  });
  throw invalid(action, `${problems.join('; ')}.`);
}
