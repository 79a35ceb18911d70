import { defineRunKind } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { changeMeta } from '../core/change-meta.ts';
import { waitForRolloutStep } from '../core/rollout-step.ts';

export interface ScaleInput {
  service: string;
  replicas: number;
  environment: string;
  reason: string;
}

export const scaleRun = defineRunKind<ActionDeps>({
  kind: 'scale',
  target: (input) => `service:${(input as ScaleInput).environment}/${(input as ScaleInput).service}`,
  onBusy: 'refuse',
  steps: [
    {
      id: 'scale',
      title: 'Scale the deployment',
      run: async ({ input, deps, requestedBy, requestId }) => {
        const i = input as ScaleInput;
        const result = await deps.cluster.scale(i.environment, i.service, i.replicas, await changeMeta(deps, requestedBy, requestId, i));
        return { summary: `${result.deployment}: ${result.from} → ${result.to} replicas${result.changed ? '' : ' (already)'}`, output: result };
      },
    },
    waitForRolloutStep('Wait for the rollout to complete', (input) => input as ScaleInput),
  ],
});
