import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput, serviceInput } from '../core/cluster-inputs.ts';
import { changeMeta } from '../core/change-meta.ts';
import { waitForRolloutStep } from '../core/rollout-step.ts';
import { serviceTarget, withPlannedService } from '../core/service-target.ts';
import { resolveTarget } from '../../cluster/cluster-targets.ts';

export const isolate = defineAction({
  id: 'isolate',
  kind: 'planned',
  chapter: 'Security Incident Response',
  summary: 'Containment: isolate an affected service by scaling it to zero (always two-person)',
  positional: ['service'],
  input: z.object({ service: serviceInput, environment: environmentInput, reason: reasonInput }),
  risk: 'destructive',
  permission: 'security.isolate',
  approval: 'two-person',
  examples: ['isolate auth-service --reason "INC-20261124-001: credential stuffing"'],
  // Reads only: an approver's click may read it again while the click is audited.
  planReadsOnly: true,
  plan: async ({ service, environment }, { deps }) => {
    const target = resolveTarget(deps.topology, service);
    if (target.kind === 'colour')
      throw new AppError(
        'cannot_isolate',
        'Isolate a service, not a gateway colour; use `/eafix rollback` or `/eafix scale` for blue/green.',
      );
    const current = (await deps.cluster.status(environment)).find((d) => d.name === target.deployment);
    if (!current) throw new AppError('cluster_not_found', `Deployment ${target.deployment} is not in ${environment}.`);
    if (current.desired === 0)
      throw new AppError('nothing_to_change', `${service} is already isolated (0 replicas) in ${environment}.`);
    return [
      {
        description: `isolate ${target.deployment} in ${environment}: scale ${current.desired} → 0 replicas (below its minimum of ${target.replicas.min})`,
        change: { environment, service: target.name, deployment: target.deployment, from: current.desired, to: 0 },
      },
    ];
  },
  runInput: withPlannedService,
  target: serviceTarget,
  steps: [
    {
      id: 'scale-to-zero',
      title: 'Scale the service to zero',
      run: async ({ input, deps, ...origin }) => {
        const meta = await changeMeta(deps, origin, input.reason);
        const result = await deps.cluster.scale(input.environment, input.service, 0, meta, { isolate: true });
        return {
          summary: `${result.deployment}: ${result.from} → 0 replicas${result.changed ? '' : ' (already isolated)'}`,
          output: result,
        };
      },
    },
    waitForRolloutStep(
      'Wait for its pods to stop',
      (deployment, _message, input) =>
        `${deployment} isolated: no pods serve traffic. Restore gradually with \`/eafix scale ${input.service} 1\`.`,
    ),
  ],
});
