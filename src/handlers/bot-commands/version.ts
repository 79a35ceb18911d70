import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { section } from '../core/reply.ts';

function uptime(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (days > 0) return `${days}d ${hours % 24}h`;
  if (hours > 0) return `${hours}h ${minutes % 60}m`;
  return `${minutes}m`;
}

export const version = defineAction({
  id: 'version',
  kind: 'query',
  chapter: 'Bot',
  summary: 'Show the bot version, build and uptime',
  input: z.object({}),
  risk: 'read',
  permission: 'bot.read',
  examples: ['version'],
  run: async (_input, { deps }) => {
    const { name, version: v, commit, startedAt } = deps.version;
    const text = `*${name}* ${v}${commit ? ` (${commit.slice(0, 12)})` : ''} — up ${uptime(deps.now().getTime() - startedAt.getTime())}`;
    return { text, blocks: [section(text)] };
  },
});
