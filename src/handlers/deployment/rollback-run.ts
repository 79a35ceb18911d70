import { AppError } from '../../app-error.ts';
import { defineRunKind } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../action-deps.ts';
import { changeMeta } from '../change-meta.ts';

export interface RollbackInput {
  environment: string;
  replicas: number;
  reason: string;
}

const ROLLOUT_TIMEOUT_MS = 10 * 60_000;

/** The runbook's Immediate Rollback: traffic to blue, blue scaled up, verified, incident documented. */
export const rollbackRun = defineRunKind<ActionDeps>({
  kind: 'rollback',
  target: (input) => `env:${(input as RollbackInput).environment}`,
  onBusy: 'refuse',
  steps: [
    {
      id: 'switch-traffic',
      title: 'Switch gateway traffic to blue',
      run: async ({ input, deps, requestedBy, requestId }) => {
        const i = input as RollbackInput;
        const result = await deps.cluster.switchTraffic(i.environment, 'blue', await changeMeta(deps, requestedBy, requestId, i));
        return { summary: `gateway selector ${result.from} → ${result.to}${result.changed ? '' : ' (already blue)'}` };
      },
    },
    {
      id: 'scale-blue',
      title: 'Scale blue up',
      run: async ({ input, deps, requestedBy, requestId }) => {
        const i = input as RollbackInput;
        const result = await deps.cluster.scale(i.environment, 'blue', i.replicas, await changeMeta(deps, requestedBy, requestId, i));
        return { summary: `${result.deployment}: ${result.from} → ${result.to} replicas${result.changed ? '' : ' (already)'}` };
      },
    },
    {
      id: 'verify',
      title: 'Verify the rollout and the gateway endpoints',
      timeoutMs: ROLLOUT_TIMEOUT_MS,
      run: async ({ input, deps, signal }) => {
        const i = input as RollbackInput;
        await deps.cluster.waitForRollout(i.environment, 'blue', { timeoutMs: ROLLOUT_TIMEOUT_MS - 5_000, signal });
        const endpoints = await deps.cluster.gatewayEndpoints(i.environment);
        if (endpoints.ready === 0 || endpoints.colours.green > 0) {
          throw new AppError('rollback_unverified', `The gateway has ${endpoints.colours.blue} blue and ${endpoints.colours.green} green ready endpoint(s); expected blue only.`);
        }
        return { summary: `blue ready; gateway serves ${endpoints.ready} blue endpoint(s)` };
      },
    },
    {
      id: 'incident',
      title: 'Document the incident',
      run: async ({ input, deps, requestedBy, requestId, runId }) => {
        const i = input as RollbackInput;
        if (!deps.incidents) return { summary: `incident to document: emergency rollback of ${i.environment} (${i.reason}); run ${runId}` };
        const incident = await deps.incidents.open({
          title: `Emergency rollback of ${i.environment}`,
          severity: 'high',
          type: 'ops',
          systems: ['gateway'],
          description: `${i.reason} (run ${runId})`,
          requestedBy,
          requestId,
        });
        return { summary: `incident ${incident.id} opened${incident.channelId ? ` in <#${incident.channelId}>` : ''}`, output: incident };
      },
    },
  ],
});
