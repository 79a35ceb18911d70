import { tokenize } from './bot.ts';

type Block = Record<string, unknown>;
interface Option {
  value?: string;
  text?: { text?: string };
}

const labelOf = (block: Block) => String((block.label as { text?: string } | undefined)?.text ?? '');
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The option a typed word means: its value, or its visible text, in any case. */
function optionValue(element: Block, typed: string, field: string): string {
  const options = (element.options as Option[] | undefined) ?? [];
  if (options.length === 0) return typed;
  const found = options.find(
    (o) => o.value?.toLowerCase() === typed.toLowerCase() || o.text?.text?.toLowerCase() === typed.toLowerCase(),
  );
  if (!found?.value)
    throw new Error(`"${typed}" is not an option of ${field}. Options: ${options.map((o) => o.value).join(', ')}`);
  return found.value;
}

/**
 * `submit title="Orders failing" severity=high systems=a,b`: the values of a modal's input blocks by
 * block id, action id or label, in the shape the Slack driver submits (`field=*` ticks every option of
 * checkboxes or a multi-select). Fields left out keep their initial values. Undefined when the text is not
 * made of `field=value` words (then the console fills the first field with it).
 */
export function parseFieldValues(text: string, inputs: Block[]): Record<string, Record<string, unknown>> | undefined {
  const tokens = tokenize(text);
  if (tokens.length === 0 || !tokens.every((t) => /^[\w-]+=/.test(t))) return undefined;
  const values: Record<string, Record<string, unknown>> = {};
  const names = inputs.map((b) => String(b.block_id));
  for (const token of tokens) {
    const at = token.indexOf('=');
    const key = token.slice(0, at).toLowerCase();
    const raw = token.slice(at + 1);
    const block = inputs.find((b) => {
      const element = b.element as Block;
      return [String(b.block_id), String(element.action_id), slug(labelOf(b))].some(
        (name) => name.toLowerCase() === key,
      );
    });
    if (!block) throw new Error(`The modal has no field "${key}". Fields: ${names.join(', ')}`);
    const element = block.element as Block;
    const type = String(element.type);
    const field = String(block.block_id);
    let value: unknown = raw;
    const options = (element.options as Option[] | undefined) ?? [];
    if ((type.startsWith('multi_') || type === 'checkboxes') && raw === '*')
      value = options.map((o) => String(o.value)); // every box ticked
    else if (type.startsWith('multi_') || type === 'checkboxes')
      value = raw
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
        .map((v) => optionValue(element, v, field));
    else if (type === 'static_select' || type === 'radio_buttons') value = optionValue(element, raw, field);
    values[field] = { [String(element.action_id)]: value };
  }
  return values;
}
