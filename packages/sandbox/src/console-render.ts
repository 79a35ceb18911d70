/** Turns Slack messages into readable terminal text: mentions resolved, blocks flattened, buttons numbered. */
export interface ConsoleButton {
  number: number;
  label: string;
  actionId: string;
  channel?: string;
  messageTs?: string;
  viewId?: string;
}

export interface NameLookup {
  user(id: string): string;
  channel(id: string): string;
  usergroup(id: string): string;
}

export function renderMrkdwn(text: string, names: NameLookup): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id: string) => `@${names.user(id)}`)
    .replace(/<#([CG][A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, label?: string) => `#${label || names.channel(id)}`)
    .replace(/<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id: string) => `@${names.usergroup(id)}`)
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<!(here|channel|everyone)>/g, '@$1')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

type Json = Record<string, unknown>;
const textOf = (t: unknown) => (t && typeof t === 'object' ? String((t as Json).text ?? '') : '');

/** An input block as the console's `submit field=value` names it: its id, what it holds, its options. */
function inputLine(block: Json): string {
  const element = (block.element as Json | undefined) ?? {};
  const options = ((element.options as Json[] | undefined) ?? []).map((o) => String(o.value));
  const initial = [
    element.initial_value,
    (element.initial_option as Json | undefined)?.value,
    ...((element.initial_options as Json[] | undefined) ?? []).map((o) => o.value),
  ].filter((v) => v !== undefined && v !== '');
  return [
    `${textOf(block.label)} (${String(block.block_id)})`,
    initial.length ? ` = ${initial.map(String).join(',')}` : '',
    options.length ? ` [${options.join(' | ')}]` : '',
  ].join('');
}

/** Flattens blocks into lines; every button gets the next number from `nextNumber`. */
export function renderBlocks(
  blocks: unknown[],
  names: NameLookup,
  onButton: (button: Omit<ConsoleButton, 'number'>) => number,
  where: { channel?: string; messageTs?: string; viewId?: string },
): string[] {
  const lines: string[] = [];
  const button = (el: Json) =>
    `[${onButton({ label: textOf(el.text), actionId: String(el.action_id), ...where })}] ${textOf(el.text)}`;
  for (const raw of blocks) {
    const block = raw as Json;
    switch (block.type) {
      case 'header':
        lines.push(`== ${textOf(block.text)} ==`);
        break;
      case 'section': {
        if (block.text) lines.push(renderMrkdwn(textOf(block.text), names));
        for (const field of (block.fields as Json[] | undefined) ?? [])
          lines.push(`  ${renderMrkdwn(textOf(field), names)}`);
        const accessory = block.accessory as Json | undefined;
        if (accessory?.type === 'button') lines.push(`  ${button(accessory)}`);
        break;
      }
      case 'context':
        lines.push(
          ((block.elements as Json[] | undefined) ?? [])
            .map((e) => renderMrkdwn(textOf(e) || String(e.text ?? ''), names))
            .join('  ')
            .replace(/^/, '  '),
        );
        break;
      case 'divider':
        lines.push('  ----');
        break;
      case 'actions': {
        const buttons = ((block.elements as Json[] | undefined) ?? []).filter((e) => e.type === 'button');
        if (buttons.length) lines.push(`  ${buttons.map(button).join('   ')}`);
        break;
      }
      case 'input':
        lines.push(`  [input] ${inputLine(block)}`);
        break;
      default:
        lines.push(`  (${String(block.type)} block)`);
    }
  }
  return lines.flatMap((l) => l.split('\n'));
}
