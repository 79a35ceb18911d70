import { z } from 'zod';
import type { AnyAction } from './define-action.ts';

export interface ActionField {
  /** camelCase key in the input object. */
  key: string;
  /** The `--flag-name` users type. */
  flag: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'unknown';
  required: boolean;
  positional: boolean;
  choices?: string[];
  defaultValue?: unknown;
  description?: string;
  /** Fixed from the approved plan when the run starts (SET_BY_PLAN): never typed, not in usage or help. */
  setByPlan: boolean;
}

/**
 * Zod metadata for an input field a planned action's `runInput` fills from the approved plan (the colour a
 * deploy goes to, the digest a configuration change applies): `z.string().optional().meta(SET_BY_PLAN)`.
 * Typing it is refused: the plan two people approved decides it.
 */
export const SET_BY_PLAN = { setByPlan: true } as const;

interface JsonSchemaProperty {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  anyOf?: JsonSchemaProperty[];
  setByPlan?: boolean;
}

const cache = new WeakMap<AnyAction, ActionField[]>();

export const toFlag = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const fromFlag = (flag: string) => flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function typeOf(prop: JsonSchemaProperty): ActionField['type'] {
  const types = [prop.type, ...(prop.anyOf ?? []).map((p) => p.type)].flat().filter(Boolean);
  for (const t of ['boolean', 'integer', 'number', 'array', 'string'] as const) if (types.includes(t)) return t;
  return 'unknown';
}

/** The fields of an action's input, derived from its zod schema: the single source for parsing and help. */
export function actionFields(action: AnyAction): ActionField[] {
  const cached = cache.get(action);
  if (cached) return cached;
  const schema = z.toJSONSchema(action.input, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaProperty>;
    required?: string[];
  };
  const positional = action.positional ?? [];
  const fields = Object.entries(schema.properties ?? {}).map(([key, prop]): ActionField => ({
    key,
    flag: toFlag(key),
    type: typeOf(prop),
    required: (schema.required ?? []).includes(key),
    positional: positional.includes(key),
    ...(prop.enum ? { choices: prop.enum.map(String) } : {}),
    ...(prop.default !== undefined ? { defaultValue: prop.default } : {}),
    ...(prop.description ? { description: prop.description } : {}),
    setByPlan: prop.setByPlan === true,
  }));
  // Positionals first, in the declared order.
  fields.sort((a, b) => rank(a) - rank(b));
  function rank(f: ActionField) {
    return f.positional ? positional.indexOf(f.key) : positional.length;
  }
  cache.set(action, fields);
  return fields;
}

/** The fields people type: all but those set from the approved plan. */
export function typedFields(action: AnyAction): ActionField[] {
  return actionFields(action).filter((field) => !field.setByPlan);
}

/** `/eafix scale <service> <replicas> [--environment=production|staging|dr] [--reason=<text>]` */
export function usageLine(action: AnyAction): string {
  const parts = [`/eafix ${action.id}`];
  for (const field of typedFields(action)) {
    const value = field.choices ? field.choices.join('|') : `<${field.flag}>`;
    if (field.positional) parts.push(field.required ? `<${field.flag}>` : `[<${field.flag}>]`);
    else if (field.type === 'boolean') parts.push(`[--${field.flag}]`);
    else parts.push(field.required ? `--${field.flag}=${value}` : `[--${field.flag}=${value}]`);
  }
  return parts.join(' ');
}
