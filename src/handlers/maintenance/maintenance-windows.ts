import { z } from 'zod';
import type { ActionDeps } from '../core/action-deps.ts';
import { defineAction } from '../core/define-action.ts';
import { sections } from '../core/reply.ts';
import type { WindowRecord } from './window-records.ts';
import { describeOccurrence, enabledWindows, occurrenceId, occurrences } from './window-times.ts';

const STATE: Record<WindowRecord['state'], string> = {
  announced: ':hourglass_flowing_sand: waiting for approval',
  approved: ':white_check_mark: approved',
  running: ':gear: running',
  skipped: ':no_entry: did not run (not approved)',
};

/** The upcoming occurrence's approval state, as recorded, or when its plan will be posted. */
async function upcomingLine(deps: ActionDeps, window: string): Promise<string> {
  const spec = deps.maintenance.policy.windows[window]!;
  const [next] = occurrences(spec, deps.now(), 1);
  const record = await deps.maintenance.windows.get(occurrenceId(window, next!.startsAt));
  const posts = new Date(next!.startsAt.getTime() - spec.announceBefore);
  const state = record
    ? `${STATE[record.state]}${record.approvedBy.length ? ` by ${record.approvedBy.map((u) => `<@${u}>`).join(', ')}` : ''}${record.approvalId ? ` (request \`${record.approvalId}\`)` : ''}`
    : `plan posted for approval at ${posts.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `*${window}* (${spec.steps.length} steps, ${spec.environment}): next ${describeOccurrence(next!)} — ${state}`;
}

/** The last occurrences that ran or were skipped, with their run's outcome. */
async function lastResults(deps: ActionDeps, window: string): Promise<string[]> {
  const done = (await deps.maintenance.windows.recent(window, 6))
    .filter((r) => r.state === 'running' || r.state === 'skipped')
    .slice(0, 3);
  const lines: string[] = [];
  for (const r of done) {
    const when = `${r.startsAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${r.onDemand ? ' (on demand)' : ''}`;
    if (r.state === 'skipped') {
      lines.push(`    • ${when}: ${STATE.skipped}`);
      continue;
    }
    const run = r.runId ? await deps.runs.get(r.runId) : undefined;
    const outcome = run ? `${run.status}${run.error ? `: ${run.error.slice(0, 160)}` : ''}` : 'unknown';
    lines.push(`    • ${when}: run \`${r.runId ?? '?'}\` ${outcome}`);
  }
  return lines.length ? lines : ['    • no results yet'];
}

export const maintenanceWindows = defineAction({
  id: 'maintenance windows',
  kind: 'query',
  chapter: 'Maintenance',
  summary: 'The scheduled maintenance windows: when each opens next, its approval state and its last results',
  input: z.object({}),
  risk: 'read',
  permission: 'maintenance.read',
  examples: ['maintenance windows'],
  run: async (_input, { deps }) => {
    const windows = enabledWindows(deps);
    if (windows.length === 0) return { text: 'No maintenance windows are scheduled (policy `maintenance.windows`).' };
    const lines = ['*Maintenance windows*'];
    for (const window of windows) lines.push(await upcomingLine(deps, window), ...(await lastResults(deps, window)));
    lines.push('Run one now with `/eafix maintenance run <window> --now` (two-person approval).');
    const text = lines.join('\n');
    return { text, blocks: sections(text) };
  },
});
