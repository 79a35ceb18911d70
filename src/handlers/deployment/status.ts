import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { context, header, sections } from '../core/reply.ts';
import { environmentInput } from '../core/cluster-inputs.ts';
import { coloursLine } from './colours.ts';
import { platformLine, platformStatusFromMetrics } from '../core/platform-status.ts';
import type { DeploymentStatus } from '../../cluster/cluster.ts';

function icon(d: DeploymentStatus): string {
  if (d.progressDeadlineExceeded) return ':x:';
  if (d.desired === 0) return ':white_circle:';
  if (d.rolloutInProgress) return ':hourglass_flowing_sand:';
  return d.ready >= d.desired ? ':large_green_circle:' : ':large_orange_circle:';
}

export function deploymentLine(d: DeploymentStatus, verbose: boolean): string {
  const name = d.service ?? d.name;
  const restarts = d.restarts > 0 ? `, ${d.restarts} restart(s)` : '';
  const rollout = d.rolloutInProgress || d.progressDeadlineExceeded ? ` — ${d.rolloutMessage}` : '';
  const detail = verbose
    ? `\n      \`${d.name}\` ${d.images.join(', ')} updated ${d.updated}, available ${d.available}`
    : '';
  return `${icon(d)} *${name}* ${d.ready}/${d.desired} ready${restarts}${rollout}${detail}`;
}

export const status = defineAction({
  id: 'status',
  kind: 'query',
  chapter: 'Deployment',
  summary: 'Health of every EAFIX deployment, live and idle colour with versions, trading and maintenance state',
  input: z.object({
    environment: environmentInput,
    verbose: z.boolean().default(false).describe('images, updated and available counts'),
  }),
  risk: 'read',
  permission: 'cluster.read',
  examples: ['status', 'status --environment=staging --verbose'],
  run: async ({ environment, verbose }, { deps }) => {
    const [deployments, live, platform] = await Promise.all([
      deps.cluster.status(environment),
      deps.cluster.liveColour(environment),
      platformStatusFromMetrics(deps, environment),
    ]);
    const unhealthy = deployments.filter((d) => d.desired > 0 && (d.ready < d.desired || d.progressDeadlineExceeded));
    const lines = deployments.map((d) => deploymentLine(d, verbose));
    const summary =
      unhealthy.length === 0 ? 'all deployments healthy' : `${unhealthy.length} deployment(s) need attention`;
    return {
      text: `EAFIX ${environment}: live colour ${live.colour}, ${summary}`,
      blocks: [
        header(`EAFIX ${environment}`),
        ...sections(
          [
            deps.sites.line(environment),
            coloursLine(deps.topology, live, deployments),
            platformLine(platform),
            ...lines,
          ]
            .filter(Boolean)
            .join('\n'),
        ),
        context(summary),
      ],
    };
  },
});
