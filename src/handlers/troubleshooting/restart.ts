import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput, serviceInput } from '../core/cluster-inputs.ts';
import { startRun } from '../core/start-run.ts';
import { namespaceFor, resolveTarget } from '../../cluster/cluster-targets.ts';

export const restart = defineAction({
  id: 'restart',
  chapter: 'Troubleshooting',
  summary: 'Rollout restart of a service (runbook: corrupt state, restart execution engine); production needs a second person',
  positional: ['service'],
  input: z.object({ service: serviceInput, environment: environmentInput, reason: reasonInput }),
  risk: 'destructive',
  permission: 'cluster.restart',
  approval: (input) => (input.environment === 'production' ? 'two-person' : 'none'),
  examples: ['restart execution-engine --reason "orders stuck"', 'restart data-ingestor --environment=staging --reason "stale feed"'],
  plan: async ({ service, environment }, { deps }) => {
    const target = resolveTarget(deps.topology, service);
    const namespace = namespaceFor(deps.topology, environment);
    return [{
      description: `rollout restart deployment ${target.deployment} in ${namespace}, then wait for the new pods`,
      change: { environment, deployment: target.deployment },
    }];
  },
  execute: (input, context) => startRun('restart', input, context),
});
