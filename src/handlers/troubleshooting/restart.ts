import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput, serviceInput } from '../core/cluster-inputs.ts';
import { changeMeta } from '../core/change-meta.ts';
import { waitForRolloutStep } from '../core/rollout-step.ts';
import { serviceTarget, withPlannedService } from '../core/service-target.ts';
import { namespaceFor, resolveTarget } from '../../cluster/cluster-targets.ts';

export const restart = defineAction({
  id: 'restart',
  kind: 'planned',
  chapter: 'Troubleshooting',
  summary:
    'Rollout restart of a service (runbook: corrupt state, restart execution engine); production needs a second person',
  positional: ['service'],
  input: z.object({ service: serviceInput, environment: environmentInput, reason: reasonInput }),
  risk: 'destructive',
  permission: 'cluster.restart',
  approval: (input) => (input.environment === 'production' ? 'two-person' : 'none'),
  examples: [
    'restart execution-engine --reason "orders stuck"',
    'restart data-ingestor --environment=staging --reason "stale feed"',
  ],
  // Reads only: an approver's click may read it again while the click is audited.
  planReadsOnly: true,
  plan: async ({ service, environment }, { deps }) => {
    const target = resolveTarget(deps.topology, service);
    const namespace = namespaceFor(deps.topology, environment);
    return [
      {
        description: `rollout restart deployment ${target.deployment} in ${namespace}, then wait for the new pods`,
        change: { environment, service: target.name, deployment: target.deployment },
      },
    ];
  },
  runInput: withPlannedService,
  target: serviceTarget,
  steps: [
    {
      // Checkpointed first, so a resumed run restarts with the same stamp and the pods roll only once.
      id: 'stamp',
      title: 'Choose the restart stamp',
      run: async ({ deps }) => ({ output: { restartedAt: deps.now().toISOString() } }),
    },
    {
      id: 'restart',
      title: 'Rollout restart',
      run: async ({ input, deps, outputs, ...origin }) => {
        const { restartedAt } = outputs.stamp as { restartedAt: string };
        const meta = await changeMeta(deps, origin, input.reason);
        const result = await deps.cluster.restart(input.environment, input.service, meta, { restartedAt });
        return {
          summary: `${result.deployment} restarted at ${result.restartedAt}${result.changed ? '' : ' (already)'}`,
        };
      },
    },
    waitForRolloutStep('Wait for the new pods'),
  ],
});
