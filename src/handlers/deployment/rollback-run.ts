import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../app-error.ts';
import { defineRunKind } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { changeMeta } from '../core/change-meta.ts';
import { describeRollbackFailure } from './rollback-state.ts';

export interface RollbackInput {
  environment: string;
  replicas: number;
  reason: string;
}

const ROLLOUT_TIMEOUT_MS = 10 * 60_000;
const ENDPOINTS_TIMEOUT_MS = 2 * 60_000;
const ENDPOINTS_POLL_MS = 250;

/**
 * The runbook's Immediate Rollback, make before break: blue is scaled up and ready before the gateway
 * moves to it, so whatever fails, the gateway points at a colour with ready pods. Then the gateway's
 * endpoints are verified and the incident documented.
 */
export const rollbackRun = defineRunKind<ActionDeps>({
  kind: 'rollback',
  target: (input) => `env:${(input as RollbackInput).environment}`,
  onBusy: 'refuse',
  steps: [
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
      id: 'blue-ready',
      title: 'Wait until blue is ready',
      timeoutMs: ROLLOUT_TIMEOUT_MS,
      run: async ({ input, deps, signal }) => {
        const i = input as RollbackInput;
        const progress = await deps.cluster.waitForRollout(i.environment, 'blue', { timeoutMs: ROLLOUT_TIMEOUT_MS - 5_000, signal });
        if (progress.ready === 0) throw new AppError('rollback_blue_empty', `blue in ${i.environment} has no ready pods; the gateway was not switched.`);
        return { summary: `blue ready: ${progress.ready}/${progress.desired} pods` };
      },
    },
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
      id: 'verify',
      title: 'Verify the gateway serves blue',
      timeoutMs: ENDPOINTS_TIMEOUT_MS + 10_000,
      run: async ({ input, deps, signal }) => {
        const i = input as RollbackInput;
        // The endpoints controller follows the selector change a moment later.
        const deadline = Date.now() + ENDPOINTS_TIMEOUT_MS;
        for (;;) {
          const endpoints = await deps.cluster.gatewayEndpoints(i.environment);
          if (endpoints.colours.blue > 0 && endpoints.colours.green === 0) return { summary: `gateway serves ${endpoints.colours.blue} blue endpoint(s)` };
          if (Date.now() > deadline) {
            throw new AppError('rollback_unverified', `The gateway has ${endpoints.colours.blue} blue and ${endpoints.colours.green} green ready endpoint(s); expected blue only.`);
          }
          await sleep(ENDPOINTS_POLL_MS, undefined, { signal });
        }
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
  describeFailure: ({ input, deps, completedSteps, signal }) => describeRollbackFailure(deps.cluster, input as RollbackInput, completedSteps, signal),
});
