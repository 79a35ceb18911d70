import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput } from '../core/cluster-inputs.ts';
import { startRun } from '../core/start-run.ts';

export const rollback = defineAction({
  id: 'rollback',
  chapter: 'Deployment',
  summary: 'Immediate Rollback: scale blue up, switch gateway traffic back to blue once it is ready, verify, open an incident',
  input: z.object({
    environment: environmentInput,
    replicas: z.coerce.number().int().min(1).optional().describe("blue's replicas (default from the policy)"),
    reason: reasonInput,
  }),
  risk: 'destructive',
  permission: 'deploy.rollback',
  approval: 'two-person',
  examples: ['rollback --reason "errors after the green deploy"', 'rollback --environment=staging --replicas=2 --reason "smoke tests failed"'],
  plan: async ({ environment, replicas }, { deps }) => {
    const blue = deps.topology.colours.blue;
    const wanted = replicas ?? blue.replicas.default;
    if (wanted < blue.replicas.min || wanted > blue.replicas.max) {
      throw new AppError('replicas_out_of_bounds', `blue takes ${blue.replicas.min}–${blue.replicas.max} replicas.`);
    }
    const [live, deployments] = await Promise.all([deps.cluster.liveColour(environment), deps.cluster.status(environment)]);
    const current = deployments.find((d) => d.name === blue.deployment)?.desired ?? 0;
    const gateway = deps.topology.gateway;
    const scaleTo = Math.max(current, wanted);
    // Make before break: blue is ready before the gateway moves to it.
    return [
      { description: `scale deployment ${blue.deployment} ${current}→${scaleTo}`, change: { deployment: blue.deployment, from: current, to: scaleTo } },
      { description: `wait until ${blue.deployment} is ready (${scaleTo} pods)`, change: { wait: blue.deployment } },
      {
        description: `patch service ${gateway.service} selector ${gateway.selectorKey} ${live.colour}→blue in ${environment}${live.colour === 'blue' ? ' (already blue)' : ''}`,
        change: { environment, service: gateway.service, from: live.colour, to: 'blue' },
      },
      { description: 'verify that the gateway serves blue endpoints only', change: { verify: true } },
      { description: 'open an incident: "Emergency rollback", severity high', change: { incident: true } },
    ];
  },
  execute: (input, context) => {
    const scale = context.plan.map((step) => step.change as { deployment?: string; to?: number }).find((change) => change.deployment !== undefined && change.to !== undefined);
    const scaleTo = scale?.to ?? context.deps.topology.colours.blue.replicas.default;
    return startRun('rollback', { environment: input.environment, replicas: scaleTo, reason: input.reason }, context);
  },
});
