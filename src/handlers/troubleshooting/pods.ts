import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { sections } from '../core/reply.ts';
import { environmentInput, serviceInput } from '../core/cluster-inputs.ts';

const age = (s: number) =>
  s >= 86_400
    ? `${Math.floor(s / 86_400)}d`
    : s >= 3_600
      ? `${Math.floor(s / 3_600)}h`
      : s >= 60
        ? `${Math.floor(s / 60)}m`
        : `${s}s`;

export const pods = defineAction({
  id: 'pods',
  kind: 'query',
  chapter: 'Troubleshooting',
  summary: "A service's pods: ready, status, restarts and age (runbook: check service status)",
  positional: ['service'],
  input: z.object({ service: serviceInput, environment: environmentInput }),
  risk: 'read',
  permission: 'cluster.read',
  examples: ['pods execution-engine', 'pods data-ingestor --environment=staging'],
  run: async ({ service, environment }, { deps }) => {
    const list = await deps.cluster.listPods(environment, service);
    if (list.length === 0) return { text: `No pods for ${service} in ${environment}.` };
    const lines = list.map(
      (p) =>
        `${p.ready ? ':large_green_circle:' : ':red_circle:'} \`${p.name}\` ${p.readyContainers} ${p.status}, ${p.restarts} restart(s), ${age(p.ageSeconds)}${p.lastTerminationReason ? `, last exit ${p.lastTerminationReason}` : ''}`,
    );
    const text = `*${service}* in ${environment}: ${list.filter((p) => p.ready).length}/${list.length} ready\n${lines.join('\n')}`;
    return { text, blocks: sections(text) };
  },
});
