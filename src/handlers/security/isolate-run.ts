import { defineRunKind } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { changeMeta } from '../core/change-meta.ts';
import { waitForRolloutStep } from '../core/rollout-step.ts';

export interface IsolateInput {
  service: string;
  environment: string;
  reason: string;
}

export const isolateRun = defineRunKind<ActionDeps>({
  kind: 'isolate',
  target: (input) => `service:${(input as IsolateInput).environment}/${(input as IsolateInput).service}`,
  onBusy: 'refuse',
  steps: [
    {
      id: 'scale-to-zero',
      title: 'Scale the service to zero',
      run: async ({ input, deps, requestedBy, requestId }) => {
        const i = input as IsolateInput;
        const meta = await changeMeta(deps, requestedBy, requestId, i);
        const result = await deps.cluster.scale(i.environment, i.service, 0, meta, { isolate: true });
        return { summary: `${result.deployment}: ${result.from} → 0 replicas${result.changed ? '' : ' (already isolated)'}`, output: result };
      },
    },
    waitForRolloutStep('Wait for its pods to stop', (input) => input as IsolateInput, (deployment, _message, input) =>
      `${deployment} isolated: no pods serve traffic. Restore gradually with \`/eafix scale ${(input as IsolateInput).service} 1\`.`),
  ],
});
