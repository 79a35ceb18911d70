import { defineRunKind } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../action-deps.ts';
import { changeMeta } from '../change-meta.ts';

export interface IsolateInput {
  service: string;
  environment: string;
  reason: string;
}

const DRAIN_TIMEOUT_MS = 5 * 60_000;

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
    {
      id: 'drain',
      title: 'Wait for its pods to stop',
      timeoutMs: DRAIN_TIMEOUT_MS,
      run: async ({ input, deps, signal }) => {
        const i = input as IsolateInput;
        const progress = await deps.cluster.waitForRollout(i.environment, i.service, { timeoutMs: DRAIN_TIMEOUT_MS - 5_000, signal });
        return { summary: `${progress.deployment} isolated: no pods serve traffic. Restore gradually with \`/eafix scale ${i.service} 1\`.` };
      },
    },
  ],
});
