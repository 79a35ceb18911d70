import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { matches } from '../../config/rbac-policy.ts';
import { renderActionHelp, renderActionList } from './help-presenter.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import type { Reply } from '../core/reply.ts';
import { deepFreeze } from '../../frozen.ts';

/**
 * The list depends only on the person's roles, given the registry and the policy (both fixed for the
 * process): it is rendered once per set of roles, not on every `/eafix help`.
 */
const listsByPolicy = new WeakMap<ActionDeps['authorizer'], WeakMap<ActionDeps['registry'], Map<string, Reply>>>();

function listFor(roles: string[], deps: Pick<ActionDeps, 'authorizer' | 'registry'>): Reply {
  let byRegistry = listsByPolicy.get(deps.authorizer);
  if (!byRegistry) listsByPolicy.set(deps.authorizer, (byRegistry = new WeakMap()));
  let lists = byRegistry.get(deps.registry);
  if (!lists) byRegistry.set(deps.registry, (lists = new Map()));
  const key = [...roles].sort().join(' ');
  let list = lists.get(key);
  if (!list) lists.set(key, (list = deepFreeze(renderList(roles, deps))));
  return list;
}

function renderList(roles: string[], deps: Pick<ActionDeps, 'authorizer' | 'registry'>): Reply {
  const granted = deps.authorizer.permissionsOf(roles).run;
  const mine = deps.registry.actions.filter((a) => granted.some((p) => matches(p, a.permission)));
  const others = deps.registry.actions.filter((a) => !mine.includes(a) && a.typed !== false);
  const footer = others.length
    ? `${others.length} more action(s) need permissions you do not hold: ${others
        .slice(0, 4)
        .map((a) => `\`${a.id}\` (${deps.authorizer.holders(a.permission)})`)
        .join('; ')}${others.length > 4 ? '; …' : ''}. \`/eafix help <action>\` explains any of them.`
    : undefined;
  return renderActionList(mine, footer);
}

export const help = defineAction({
  id: 'help',
  kind: 'query',
  chapter: 'Bot',
  summary: 'List the runbook actions, or explain one: usage, risk, permission and an example',
  positional: ['topic'],
  positionalRest: true,
  input: z.object({ topic: z.string().optional().describe('an action, e.g. "rollback" or "incident create"') }),
  risk: 'read',
  permission: 'bot.read',
  examples: ['help', 'help rollback'],
  run: async ({ topic }, { deps, invoker }) => {
    if (!topic) {
      const { roles } = await deps.authorizer.roles.rolesOf(invoker.userId);
      return listFor(roles, deps);
    }
    const words = topic.split(/\s+/);
    const found = deps.registry.resolve(words);
    if (found && found.rest.length === 0) return renderActionHelp(found.action);
    const suggestions = deps.registry.suggest(words);
    throw new AppError('unknown_action', `There is no action \`${topic}\`.`, {
      hints: [
        suggestions.length
          ? `Did you mean ${suggestions.map((s) => `\`${s}\``).join(', ')}?`
          : 'See `/eafix help` for the list.',
      ],
    });
  },
});
