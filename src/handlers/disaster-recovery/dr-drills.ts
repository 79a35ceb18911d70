import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { sections } from '../core/reply.ts';
import { formatDuration } from './backup-naming.ts';
import { drillLines } from './drill-report.ts';

export const drDrills = defineAction({
  id: 'dr drills',
  kind: 'query',
  chapter: 'Disaster Recovery',
  summary: 'Past DR drills: recovery time against the RTO, backup age, and the trend from drill to drill',
  input: z.object({ limit: z.coerce.number().int().min(1).max(50).default(12).describe('how many drills') }),
  risk: 'read',
  permission: 'dr.read',
  examples: ['dr drills', 'dr drills --limit=24'],
  run: async ({ limit }, { deps }) => {
    const drills = await deps.dr.records.list('drill', limit);
    if (drills.length === 0) return { text: 'No DR drills yet. Run one with `/eafix dr drill`.' };
    const timed = drills.filter((d) => d.recoveryMs !== undefined);
    const mean = timed.length ? timed.reduce((s, d) => s + (d.recoveryMs ?? 0), 0) / timed.length : undefined;
    const passed = drills.filter((d) => d.passed).length;
    const head = `*DR drills*: ${passed}/${drills.length} passed${mean !== undefined ? `, mean recovery ${formatDuration(mean)}` : ''}`;
    const text = `${head}\n${drillLines(drills).join('\n')}`;
    return { text, blocks: sections(text) };
  },
});
