import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../define-action.ts';
import { renderActionHelp, renderActionList } from './help-presenter.ts';

export const help = defineAction({
  id: 'help',
  chapter: 'Bot',
  summary: 'List the runbook actions, or explain one: usage, risk, permission and an example',
  positional: ['topic'],
  positionalRest: true,
  input: z.object({ topic: z.string().optional().describe('an action, e.g. "rollback" or "incident create"') }),
  risk: 'read',
  permission: 'bot.help',
  examples: ['help', 'help rollback'],
  run: async ({ topic }, { deps }) => {
    if (!topic) return renderActionList(deps.registry.actions);
    const words = topic.split(/\s+/);
    const found = deps.registry.resolve(words);
    if (found && found.rest.length === 0) return renderActionHelp(found.action);
    const suggestions = deps.registry.suggest(words);
    throw new AppError('unknown_action', `There is no action \`${topic}\`.`, {
      hints: [
        suggestions.length ? `Did you mean ${suggestions.map((s) => `\`${s}\``).join(', ')}?` : 'See `/eafix help` for the list.',
      ],
    });
  },
});
