import type { Block } from './reply.ts';

/** Block Kit pieces shared by the action forms (modals): options, input blocks, reading the submitted state. */
export const option = (value: string, text = value) => ({ text: { type: 'plain_text', text }, value });

/** An input block; the element's action id is its block id (Slack wants action ids unique within a view). */
export const inputBlock = (
  blockId: string,
  label: string,
  element: Record<string, unknown>,
  optional = false,
  hint?: string,
): Block => ({
  type: 'input',
  block_id: blockId,
  label: { type: 'plain_text', text: label },
  optional,
  ...(hint ? { hint: { type: 'plain_text', text: hint } } : {}),
  element: { action_id: blockId, ...element },
});

/** `view.state.values` of a submitted modal, as Slack sends it. */
export type StateValues = Record<
  string,
  Record<
    string,
    { value?: string | null; selected_option?: { value: string } | null; selected_options?: Array<{ value: string }> }
  >
>;

/** Reads the fields of a modal whose blocks were built with `inputBlock` (action id = block id). */
export function stateReader(values: StateValues) {
  const field = (block: string) => values[block]?.[block];
  return {
    text: (block: string) => field(block)?.value?.trim() ?? '',
    selected: (block: string) => field(block)?.selected_option?.value,
    selectedAll: (block: string) => (field(block)?.selected_options ?? []).map((o) => o.value),
  };
}
