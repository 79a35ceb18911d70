import { chapters, type AnyAction, type Risk } from '../core/define-action.ts';
import { typedFields, usageLine } from '../core/action-fields.ts';
import { context, header, sections, type Reply } from '../core/reply.ts';

export const riskLabel: Record<Risk, string> = {
  read: ':large_green_circle: read-only',
  change: ':large_yellow_circle: changes things',
  destructive: ':red_circle: destructive',
};

/** The actions a person can type, by chapter (buttons' own actions are reached from their buttons). */
export function renderActionList(actions: readonly AnyAction[], footer?: string): Reply {
  const lines: string[] = [];
  for (const chapter of chapters) {
    const inChapter = actions.filter((a) => a.chapter === chapter && a.typed !== false);
    if (inChapter.length === 0) continue;
    lines.push(`*${chapter}*`);
    for (const action of inChapter) lines.push(`• \`/eafix ${action.id}\` — ${action.summary}`);
    lines.push('');
  }
  const text = lines.join('\n').trim();
  return {
    text: `EAFIX runbook actions:\n${text}`,
    blocks: [
      header('EAFIX runbook actions'),
      ...sections(text),
      context(footer ?? 'Type `/eafix help <action>` for usage, risk and an example.'),
    ],
  };
}

export function renderActionHelp(action: AnyAction): Reply {
  const options = typedFields(action).map((f) => {
    const name = f.positional ? `<${f.flag}>` : f.type === 'boolean' ? `--${f.flag}` : `--${f.flag}=…`;
    const facts = [
      f.required ? 'required' : 'optional',
      f.choices ? `one of ${f.choices.join(', ')}` : undefined,
      f.defaultValue !== undefined ? `default ${JSON.stringify(f.defaultValue)}` : undefined,
    ].filter(Boolean);
    return `• \`${name}\` ${f.description ? `— ${f.description} ` : ''}_(${facts.join(', ')})_`;
  });
  const text = [
    `*/eafix ${action.id}* — ${action.summary}`,
    `*Usage:* \`${usageLine(action)}\``,
    ...(options.length ? ['*Arguments:*', ...options] : []),
    `*Risk:* ${riskLabel[action.risk]}    *Permission:* \`${action.permission}\`    *Runbook:* ${action.chapter}`,
    action.typed === false
      ? '_Done with its button (the click binds it to the message shown), never typed._'
      : `*Examples:*\n${action.examples.map((e) => `\`/eafix ${e}\``).join('\n')}`,
  ].join('\n');
  return { text, blocks: sections(text) };
}
