import { defineRunKind } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../action-deps.ts';
import { changeMeta } from '../change-meta.ts';

export interface ScaleInput {
  service: string;
  replicas: number;
  environment: string;
  reason: string;
}

const ROLLOUT_TIMEOUT_MS = 10 * 60_000;

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
    {
      id: 'wait',
      title: 'Wait for the rollout to complete',
      timeoutMs: ROLLOUT_TIMEOUT_MS,
      run: async ({ input, deps, signal }) => {
        const i = input as ScaleInput;
        const progress = await deps.cluster.waitForRollout(i.environment, i.service, { timeoutMs: ROLLOUT_TIMEOUT_MS - 5_000, signal });
        return { summary: `${progress.deployment}: ${progress.message}` };
      },
    },
  ],
});
