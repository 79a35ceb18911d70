import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { sections } from '../core/reply.ts';
import { environmentInput } from '../core/cluster-inputs.ts';

export const events = defineAction({
  id: 'events',
  kind: 'query',
  chapter: 'Troubleshooting',
  summary: 'Recent Kubernetes events, for a service or the whole environment (warnings first)',
  positional: ['service'],
  input: z.object({
    service: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/)
      .optional()
      .describe('a service, or blue/green; all when omitted'),
    limit: z.coerce.number().int().min(1).max(50).default(20),
    environment: environmentInput,
  }),
  risk: 'read',
  permission: 'cluster.read',
  examples: ['events execution-engine', 'events --environment=staging --limit=40'],
  run: async ({ service, limit, environment }, { deps }) => {
    const list = await deps.cluster.recentEvents(environment, { ...(service ? { involvedName: service } : {}), limit });
    const scope = service ? `${service} in ${environment}` : environment;
    if (list.length === 0) return { text: `No recent events for ${scope}.` };
    // Warnings are what an on-call engineer is looking for; show them first.
    const ordered = [...list].sort((a, b) => Number(b.type === 'Warning') - Number(a.type === 'Warning'));
    const lines = ordered.map(
      (e) =>
        `${e.type === 'Warning' ? ':warning:' : ':information_source:'} *${e.reason}* ${e.object}${e.count > 1 ? ` (x${e.count})` : ''}${e.lastSeen ? ` ${e.lastSeen.slice(11, 19)}Z` : ''}\n      ${e.message}`,
    );
    const text = `*Recent events for ${scope}*\n${lines.join('\n')}`;
    return { text, blocks: sections(text) };
  },
});
