import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { sections } from '../core/reply.ts';

export const whoami = defineAction({
  id: 'whoami',
  kind: 'query',
  chapter: 'Bot',
  summary: 'Show your roles, what you may run and approve, and whether you may break glass',
  input: z.object({}),
  risk: 'read',
  permission: 'bot.read',
  examples: ['whoami'],
  run: async (_input, { deps, invoker }) => {
    const { roles, complete } = await deps.authorizer.roles.rolesOf(invoker.userId);
    const granted = deps.authorizer.permissionsOf(roles);
    const text = [
      `*You are* <@${invoker.userId}> with role(s): ${roles.map((r) => `\`${r}\``).join(', ')}`,
      `*May run:* ${granted.run.map((p) => `\`${p}\``).join(', ') || 'nothing'}`,
      `*May approve:* ${granted.approve.map((p) => `\`${p}\``).join(', ') || 'nothing'}`,
      `*Break-glass:* ${granted.breakGlass ? 'yes — every use is announced and reviewed' : 'no'}`,
      ...(complete
        ? []
        : [':warning: Some user groups could not be checked just now; you may hold more roles than shown.']),
    ].join('\n');
    return { text, blocks: sections(text) };
  },
});
