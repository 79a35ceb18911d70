import type { SlackState } from './state.ts';
import type { EmuUser, Json } from './types.ts';

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ButtonQuery {
  actionId?: string;
  label?: string;
  value?: string;
}

export interface FoundButton {
  blockId: string;
  element: Json;
}

function buttonLabel(element: Json): string {
  return isObject(element.text) ? String(element.text.text ?? '') : '';
}

/** All buttons in blocks (actions elements and section accessories), in display order. */
export function listButtons(blocks: unknown): FoundButton[] {
  if (!Array.isArray(blocks)) return [];
  const found: FoundButton[] = [];
  for (const block of blocks) {
    if (!isObject(block)) continue;
    const blockId = String(block.block_id ?? '');
    const candidates = block.type === 'actions' && Array.isArray(block.elements) ? block.elements : [block.accessory];
    for (const el of candidates) if (isObject(el) && el.type === 'button') found.push({ blockId, element: el });
  }
  return found;
}

export function findButton(blocks: unknown, query: ButtonQuery): FoundButton {
  const buttons = listButtons(blocks);
  const match = buttons.find(
    ({ element }) =>
      (query.actionId === undefined || element.action_id === query.actionId) &&
      (query.label === undefined || buttonLabel(element) === query.label) &&
      (query.value === undefined || element.value === query.value),
  );
  if (!match) {
    const available =
      buttons.map((b) => `${String(b.element.action_id)} "${buttonLabel(b.element)}"`).join(', ') || 'none';
    throw new Error(`No button matching ${JSON.stringify(query)}; available: ${available}`);
  }
  return match;
}

export function payloadUser(user: EmuUser): Json {
  return { id: user.id, username: user.name, name: user.name, team_id: user.team_id };
}

export function payloadTeam(state: SlackState): Json {
  return { id: state.identity.teamId, domain: state.identity.teamDomain };
}

/** A value supplied by a test: a plain string/array shorthand, or an already Slack-shaped state entry. */
export type StateInput = string | string[] | null | Json;

function optionFor(element: Json, value: string): Json {
  const options = [
    ...(Array.isArray(element.options) ? element.options : []),
    ...(Array.isArray(element.option_groups)
      ? element.option_groups.flatMap((g: Json) => (Array.isArray(g.options) ? g.options : []))
      : []),
  ] as Json[];
  return options.find((o) => o.value === value) ?? { text: { type: 'plain_text', text: value, emoji: true }, value };
}

/** Converts shorthand input into the Slack state entry for an element type. */
function stateEntry(element: Json, input: StateInput | undefined): Json {
  const type = String(element.type);
  if (isObject(input)) return { type, ...input };
  const one = Array.isArray(input) ? input[0] : input;
  const many = Array.isArray(input) ? input : input == null ? [] : [input];
  switch (type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type, selected_option: one == null ? null : optionFor(element, one) };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: many.map((v) => optionFor(element, v)) };
    case 'users_select':
      return { type, selected_user: one ?? null };
    case 'multi_users_select':
      return { type, selected_users: many };
    case 'conversations_select':
      return { type, selected_conversation: one ?? null };
    case 'multi_conversations_select':
      return { type, selected_conversations: many };
    case 'channels_select':
      return { type, selected_channel: one ?? null };
    case 'multi_channels_select':
      return { type, selected_channels: many };
    case 'datepicker':
      return { type, selected_date: one ?? null };
    case 'timepicker':
      return { type, selected_time: one ?? null };
    default:
      return { type, value: one ?? null };
  }
}

/** What an element holds before anyone edits it (its initial value or options), as shorthand input. */
function initialInput(element: Json): StateInput | undefined {
  if (typeof element.initial_value === 'string') return element.initial_value;
  if (isObject(element.initial_option)) return String(element.initial_option.value);
  if (Array.isArray(element.initial_options)) return (element.initial_options as Json[]).map((o) => String(o.value));
  for (const key of ['initial_user', 'initial_conversation', 'initial_channel', 'initial_date', 'initial_time'])
    if (typeof element[key] === 'string') return element[key] as string;
  for (const key of ['initial_users', 'initial_conversations', 'initial_channels'])
    if (Array.isArray(element[key])) return element[key] as string[];
  return undefined;
}

/**
 * `view.state.values` for every input block of a view. A field the test leaves out keeps what the element
 * started with (its initial value or options), as in Slack, where untouched prefilled fields are submitted. `values` may be keyed `{ [block_id]: { [action_id]: v } }`
 * (as Slack nests it) or simply `{ [action_id]: v }`.
 */
export function viewStateValues(
  blocks: unknown,
  values: Record<string, unknown>,
): Record<string, Record<string, Json>> {
  const out: Record<string, Record<string, Json>> = {};
  if (!Array.isArray(blocks)) return out;
  for (const block of blocks) {
    if (!isObject(block) || block.type !== 'input' || !isObject(block.element)) continue;
    const blockId = String(block.block_id);
    const actionId = String(block.element.action_id);
    const nested = values[blockId];
    const given = isObject(nested) && actionId in nested ? nested[actionId] : values[actionId];
    const input = given === undefined ? initialInput(block.element) : (given as StateInput);
    out[blockId] = { [actionId]: stateEntry(block.element, input) };
  }
  return out;
}
