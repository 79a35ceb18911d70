import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { section } from '../core/reply.ts';
import { environmentInput, serviceInput } from '../core/cluster-inputs.ts';
import { parseDuration } from '../security/audit-export.ts';

/** Short logs read best inline; longer ones go to the thread as a file. */
const INLINE_LIMIT = 2_500;

export const logs = defineAction({
  id: 'logs',
  kind: 'query',
  chapter: 'Troubleshooting',
  summary: "Recent logs of a service's pods (runbook: check service logs)",
  positional: ['service'],
  input: z.object({
    service: serviceInput,
    tail: z.coerce.number().int().min(1).max(5_000).default(100).describe('lines per pod'),
    since: z.string().optional().describe('how far back: 10m, 1h'),
    environment: environmentInput,
  }),
  risk: 'read',
  permission: 'cluster.logs',
  examples: ['logs data-ingestor --since=10m', 'logs execution-engine --tail=50'],
  run: async ({ service, tail, since, environment }, { deps }) => {
    const sinceSeconds = since ? Math.ceil(parseDuration(since) / 1000) : undefined;
    const result = await deps.cluster.podLogs(environment, service, {
      tailLines: tail,
      ...(sinceSeconds ? { sinceSeconds } : {}),
    });
    const title = `Logs of ${service} in ${environment} (${result.pods.length} pod(s), last ${tail} line(s) each${since ? `, since ${since}` : ''})`;
    if (result.text.length <= INLINE_LIMIT) {
      return { text: title, blocks: [section(`*${title}*\n\`\`\`${result.text || '(empty)'}\`\`\``)] };
    }
    return {
      text: `${title}: attached as a file${result.truncated ? ' (truncated)' : ''}.`,
      blocks: [section(`*${title}*: attached as a file${result.truncated ? ' (truncated)' : ''}.`)],
      file: { filename: `${service}-${environment}.log`, content: result.text, title },
    };
  },
});
