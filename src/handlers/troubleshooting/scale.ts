import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput, serviceInput } from '../core/cluster-inputs.ts';
import { changeMeta } from '../core/change-meta.ts';
import { waitForRolloutStep } from '../core/rollout-step.ts';
import { serviceTarget, withPlannedService } from '../core/service-target.ts';
import { checkReplicas, resolveTarget } from '../../cluster/cluster-targets.ts';

export const scale = defineAction({
  id: 'scale',
  kind: 'planned',
  chapter: 'Troubleshooting',
  summary:
    'Scale a service (runbook: resource exhaustion, high latency); production or scaling down needs a second person',
  positional: ['service', 'replicas'],
  input: z.object({
    service: serviceInput,
    replicas: z.coerce.number().int().min(0).describe('the new replica count'),
    environment: environmentInput,
    reason: reasonInput,
  }),
  risk: 'destructive',
  permission: 'cluster.scale',
  approval: (input, plan) => {
    const change = plan[0]?.change as { from?: number; to?: number } | undefined;
    const scalingDown = (change?.to ?? 0) < (change?.from ?? 0);
    return input.environment === 'production' || scalingDown ? 'two-person' : 'none';
  },
  examples: [
    'scale risk-manager 5 --reason "latency above 500ms"',
    'scale data-ingestor 3 --environment=staging --reason "load test"',
  ],
  // Reads only: an approver's click may read it again while the click is audited.
  planReadsOnly: true,
  plan: async ({ service, replicas, environment }, { deps }) => {
    const target = resolveTarget(deps.topology, service);
    checkReplicas(target, replicas, environment);
    const current = (await deps.cluster.status(environment)).find((d) => d.name === target.deployment);
    if (!current) throw new AppError('cluster_not_found', `Deployment ${target.deployment} is not in ${environment}.`);
    if (current.desired === replicas)
      throw new AppError('nothing_to_change', `${service} already has ${replicas} replica(s) in ${environment}.`);
    return [
      {
        description: `scale deployment ${target.deployment} in ${environment}: ${current.desired} → ${replicas} replicas`,
        change: {
          environment,
          service: target.name,
          deployment: target.deployment,
          from: current.desired,
          to: replicas,
        },
      },
    ];
  },
  runInput: withPlannedService,
  target: serviceTarget,
  steps: [
    {
      id: 'scale',
      title: 'Scale the deployment',
      run: async ({ input, deps, ...origin }) => {
        const result = await deps.cluster.scale(
          input.environment,
          input.service,
          input.replicas,
          await changeMeta(deps, origin, input.reason),
        );
        return {
          summary: `${result.deployment}: ${result.from} → ${result.to} replicas${result.changed ? '' : ' (already)'}`,
          output: result,
        };
      },
    },
    waitForRolloutStep('Wait for the rollout to complete'),
  ],
});
