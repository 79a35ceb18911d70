import { defineRunKind } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { changeMeta } from '../core/change-meta.ts';
import { waitForRolloutStep } from '../core/rollout-step.ts';

export interface RestartInput {
  service: string;
  environment: string;
  reason: string;
}

export const restartRun = defineRunKind<ActionDeps>({
  kind: 'restart',
  target: (input) => `service:${(input as RestartInput).environment}/${(input as RestartInput).service}`,
  onBusy: 'refuse',
  steps: [
    {
      // Checkpointed first, so a resumed run restarts with the same stamp and the pods roll only once.
      id: 'stamp',
      title: 'Choose the restart stamp',
      run: async () => ({ output: { restartedAt: new Date().toISOString() } }),
    },
    {
      id: 'restart',
      title: 'Rollout restart',
      run: async ({ input, deps, requestedBy, requestId, outputs }) => {
        const i = input as RestartInput;
        const { restartedAt } = outputs.stamp as { restartedAt: string };
        const result = await deps.cluster.restart(i.environment, i.service, await changeMeta(deps, requestedBy, requestId, i), { restartedAt });
        return { summary: `${result.deployment} restarted at ${result.restartedAt}${result.changed ? '' : ' (already)'}` };
      },
    },
    waitForRolloutStep('Wait for the new pods', (input) => input as RestartInput),
  ],
});
