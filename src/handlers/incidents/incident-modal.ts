import { severities } from '../../config/incident-policy.ts';
import { inputBlock as input, option, stateReader, type StateValues } from '../core/modal-blocks.ts';
import type { Block } from '../core/reply.ts';

export const CREATE_MODAL_ID = 'incident:create';

/** `/eafix incident create` with no options: title, severity, type, systems from the topology, description. */
export function createIncidentModal(systems: readonly string[], originChannel: string): Block {
  const blocks: Block[] = [
    input('title', 'Title', {
      type: 'plain_text_input',
      max_length: 120,
      placeholder: { type: 'plain_text', text: 'Orders failing at the broker' },
    }),
    input('severity', 'Severity', {
      type: 'static_select',
      options: severities.map((s) => option(s, s[0]!.toUpperCase() + s.slice(1))),
    }),
    input('type', 'Type', {
      type: 'static_select',
      initial_option: option('ops', 'Operations'),
      options: [option('ops', 'Operations'), option('security', 'Security')],
    }),
  ];
  if (systems.length > 0) {
    blocks.push(
      input(
        'systems',
        'Affected systems',
        { type: 'multi_static_select', options: systems.slice(0, 100).map((s) => option(s)) },
        true,
      ),
    );
  }
  blocks.push(
    input('description', 'Description', { type: 'plain_text_input', multiline: true, max_length: 2900 }, true),
  );
  return {
    type: 'modal',
    callback_id: CREATE_MODAL_ID,
    private_metadata: originChannel,
    title: { type: 'plain_text', text: 'Declare an incident' },
    submit: { type: 'plain_text', text: 'Declare' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** The modal's state as the `incident create` action's input (validated by the action's schema). */
export function readIncidentModal(values: StateValues): Record<string, unknown> {
  const field = stateReader(values);
  return {
    // Always a string: an empty title is a mistake in the form (not "open the form").
    title: field.text('title'),
    severity: field.selected('severity'),
    type: field.selected('type') ?? 'ops',
    systems: field.selectedAll('systems'),
    description: field.text('description'),
  };
}
