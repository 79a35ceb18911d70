import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { header, sections } from '../core/reply.ts';
import { slackTime } from './incident-template.ts';

export const incidentsList = defineAction({
  id: 'incidents',
  kind: 'query',
  chapter: 'Incidents',
  summary: 'List open incidents with their war rooms, severity, status and commander',
  input: z.object({}),
  risk: 'read',
  permission: 'incident.list',
  examples: ['incidents'],
  run: async (_input, ctx) => {
    const open = await ctx.deps.incidents.listOpen();
    if (open.length === 0) return { text: 'No open incidents. :relieved:' };
    const lines = open.map(
      (i) =>
        `• *${i.id}* ${i.severity} ${i.type} — ${i.title} — ${i.status}${i.channelId ? ` in <#${i.channelId}>` : ''} — commander ${i.commander ? `<@${i.commander}>` : 'unassigned'}${i.acknowledgedBy ? '' : ' — :warning: unacknowledged'} — since ${slackTime(i.createdAt)}`,
    );
    return {
      text: `${open.length} open incident(s):\n${lines.join('\n')}`,
      blocks: [header(`${open.length} open incident(s)`), ...sections(lines.join('\n')).slice(0, 45)],
    };
  },
});
