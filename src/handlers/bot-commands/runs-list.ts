import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { sections } from '../core/reply.ts';
import { pauseLine } from '../../jobs/pause-message.ts';

const icons: Record<string, string> = {
  queued: ':white_circle:',
  running: ':hourglass_flowing_sand:',
  paused: ':double_vertical_bar:',
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
    const lines = await Promise.all(
      runs.map(async (r) => {
        const when = r.createdAt.toISOString().slice(0, 16).replace('T', ' ');
        const resumed = r.resumedCount ? `, resumed ${r.resumedCount}x` : '';
        // A paused run says what it waits for (the buttons are in its thread).
        const pause = r.status === 'paused' ? await deps.runs.latestPause(r.id) : undefined;
        const waiting = pause ? `\n      :double_vertical_bar: ${pauseLine(pause)}` : '';
        return `${icons[r.status] ?? ''} \`${r.id}\` *${r.action}* by <@${r.requestedBy}> — ${r.status} (${r.stepsDone}/${r.stepCount} steps${resumed}) ${when}Z${waiting}${r.error ? `\n      ${r.error}` : ''}`;
      }),
    );
    const text = `*Runs*\n${lines.join('\n')}`;
    return { text, blocks: sections(text) };
  },
});
