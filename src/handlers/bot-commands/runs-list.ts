import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { sections } from '../core/reply.ts';

const icons: Record<string, string> = {
  queued: ':white_circle:',
  running: ':hourglass_flowing_sand:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
};

export const runsList = defineAction({
  id: 'runs',
  kind: 'query',
  chapter: 'Bot',
  summary: 'Running and recent runs (rollbacks, scales, restarts) with their progress',
  input: z.object({ limit: z.coerce.number().int().min(1).max(50).default(15) }),
  risk: 'read',
  permission: 'runs.read',
  examples: ['runs', 'runs --limit=30'],
  run: async ({ limit }, { deps }) => {
    const runs = await deps.runs.list(limit);
    if (runs.length === 0) return { text: 'No runs yet.' };
    const lines = runs.map((r) => {
      const when = r.createdAt.toISOString().slice(0, 16).replace('T', ' ');
      const resumed = r.resumedCount ? `, resumed ${r.resumedCount}x` : '';
      return `${icons[r.status] ?? ''} \`${r.id}\` *${r.action}* by <@${r.requestedBy}> — ${r.status} (${r.stepsDone}/${r.stepCount} steps${resumed}) ${when}Z${r.error ? `\n      ${r.error}` : ''}`;
    });
    const text = `*Runs*\n${lines.join('\n')}`;
    return { text, blocks: sections(text) };
  },
});
