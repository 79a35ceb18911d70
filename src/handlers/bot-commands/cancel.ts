import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { section } from '../core/reply.ts';

export const cancel = defineAction({
  id: 'cancel',
  kind: 'change',
  chapter: 'Bot',
  summary: 'Cancel a running or queued run, wherever it runs; the step in progress is interrupted',
  positional: ['run'],
  input: z.object({
    run: z.string().regex(/^run_[0-9a-f]+$/, 'must be a run id like run_1a2b3c4d5e6f (see /eafix runs)'),
  }),
  risk: 'change',
  permission: 'runs.cancel',
  examples: ['cancel run_1a2b3c4d5e6f'],
  run: async ({ run }, { deps, invoker }) => {
    const result = await deps.runs.cancel(run, invoker.userId);
    if (!result.run)
      throw new AppError('unknown_run', `There is no run \`${run}\`.`, { hints: ['See `/eafix runs`.'] });
    if (!result.accepted) {
      throw new AppError('run_over', `Run \`${run}\` is already ${result.run.status}; nothing to cancel.`);
    }
    const text = `:no_entry_sign: Cancelling run \`${run}\` (${result.run.action}); the thread will show where it stopped.`;
    return { text, blocks: [section(text)], visibility: 'in_channel' };
  },
});
