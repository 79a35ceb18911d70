import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput } from '../core/cluster-inputs.ts';
import { changeMeta } from '../core/change-meta.ts';
import { describeRollbackFailure } from './rollback-state.ts';

const ROLLOUT_TIMEOUT_MS = 10 * 60_000;
const ENDPOINTS_TIMEOUT_MS = 2 * 60_000;
/** The endpoints follow the selector within a moment: look again soon, then less often. */
const ENDPOINTS_FIRST_POLL_MS = 20;
const ENDPOINTS_MAX_POLL_MS = 250;

/**
 * The runbook's Immediate Rollback, make before break: blue is scaled up and ready before the gateway
 * moves to it, so whatever fails, the gateway points at a colour with ready pods. Then the gateway's
 * endpoints are verified and the incident documented.
 */
export const rollback = defineAction({
  id: 'rollback',
  kind: 'planned',
  chapter: 'Deployment',
  summary:
    'Immediate Rollback: scale blue up, switch gateway traffic back to blue once it is ready, verify, open an incident',
  input: z.object({
    environment: environmentInput,
    replicas: z.coerce.number().int().min(1).optional().describe("blue's replicas (default from the policy)"),
    reason: reasonInput,
  }),
  risk: 'destructive',
  permission: 'deploy.rollback',
  approval: 'two-person',
  examples: [
    'rollback --reason "errors after the green deploy"',
    'rollback --environment=staging --replicas=2 --reason "smoke tests failed"',
  ],
  plan: async ({ environment, replicas }, { deps }) => {
    const blue = deps.topology.colours.blue;
    const wanted = replicas ?? blue.replicas.default;
    if (wanted < blue.replicas.min || wanted > blue.replicas.max) {
      throw new AppError('replicas_out_of_bounds', `blue takes ${blue.replicas.min}–${blue.replicas.max} replicas.`);
    }
    const [live, deployments] = await Promise.all([
      deps.cluster.liveColour(environment),
      deps.cluster.status(environment),
    ]);
    const current = deployments.find((d) => d.name === blue.deployment)?.desired ?? 0;
    const gateway = deps.topology.gateway;
    const scaleTo = Math.max(current, wanted);
    // Make before break: blue is ready before the gateway moves to it.
    return [
      {
        description: `scale deployment ${blue.deployment} ${current}→${scaleTo}`,
        change: { deployment: blue.deployment, from: current, to: scaleTo },
      },
      { description: `wait until ${blue.deployment} is ready (${scaleTo} pods)`, change: { wait: blue.deployment } },
      {
        description: `patch service ${gateway.service} selector ${gateway.selectorKey} ${live.colour}→blue in ${environment}${live.colour === 'blue' ? ' (already blue)' : ''}`,
        change: { environment, service: gateway.service, from: live.colour, to: 'blue' },
      },
      { description: 'verify that the gateway serves blue endpoints only', change: { verify: true } },
      { description: 'open an incident: "Emergency rollback", severity high', change: { incident: true } },
    ];
  },
  // The run scales blue to exactly the approved count.
  runInput: (input, plan) => {
    const scale = plan
      .map((step) => step.change as { deployment?: string; to?: number })
      .find((change) => change.deployment !== undefined && change.to !== undefined);
    return { ...input, replicas: scale?.to ?? input.replicas };
  },
  target: (input) => `env:${input.environment}`,
  steps: [
    {
      id: 'scale-blue',
      title: 'Scale blue up',
      run: async ({ input, deps, ...origin }) => {
        // runInput fixed the count from the plan; the policy's default only for a run stored without one.
        const replicas = input.replicas ?? deps.topology.colours.blue.replicas.default;
        const result = await deps.cluster.scale(
          input.environment,
          'blue',
          replicas,
          await changeMeta(deps, origin, input.reason),
        );
        return {
          summary: `${result.deployment}: ${result.from} → ${result.to} replicas${result.changed ? '' : ' (already)'}`,
        };
      },
    },
    {
      id: 'blue-ready',
      title: 'Wait until blue is ready',
      timeoutMs: ROLLOUT_TIMEOUT_MS,
      run: async ({ input, deps, signal }) => {
        const progress = await deps.cluster.waitForRollout(input.environment, 'blue', {
          timeoutMs: ROLLOUT_TIMEOUT_MS - 5_000,
          signal,
        });
        if (progress.ready === 0)
          throw new AppError(
            'rollback_blue_empty',
            `blue in ${input.environment} has no ready pods; the gateway was not switched.`,
          );
        return { summary: `blue ready: ${progress.ready}/${progress.desired} pods` };
      },
    },
    {
      id: 'switch-traffic',
      title: 'Switch gateway traffic to blue',
      run: async ({ input, deps, ...origin }) => {
        const result = await deps.cluster.switchTraffic(
          input.environment,
          'blue',
          await changeMeta(deps, origin, input.reason),
        );
        return { summary: `gateway selector ${result.from} → ${result.to}${result.changed ? '' : ' (already blue)'}` };
      },
    },
    {
      id: 'verify',
      title: 'Verify the gateway serves blue',
      timeoutMs: ENDPOINTS_TIMEOUT_MS + 10_000,
      run: async ({ input, deps, signal }) => {
        // The endpoints controller follows the selector change a moment later.
        const deadline = deps.now().getTime() + ENDPOINTS_TIMEOUT_MS;
        for (let pauseMs = ENDPOINTS_FIRST_POLL_MS; ; pauseMs = Math.min(ENDPOINTS_MAX_POLL_MS, pauseMs * 2)) {
          const endpoints = await deps.cluster.gatewayEndpoints(input.environment);
          if (endpoints.colours.blue > 0 && endpoints.colours.green === 0)
            return { summary: `gateway serves ${endpoints.colours.blue} blue endpoint(s)` };
          if (deps.now().getTime() > deadline) {
            throw new AppError(
              'rollback_unverified',
              `The gateway has ${endpoints.colours.blue} blue and ${endpoints.colours.green} green ready endpoint(s); expected blue only.`,
            );
          }
          await sleep(pauseMs, undefined, { signal });
        }
      },
    },
    {
      id: 'incident',
      title: 'Document the incident',
      run: async ({ input, deps, requestedBy, requestId, runId }) => {
        const incident = await deps.incidents.open({
          title: `Emergency rollback of ${input.environment}`,
          severity: 'high',
          type: 'ops',
          systems: ['gateway'],
          description: `${input.reason} (run ${runId})`,
          requestedBy,
          requestId,
        });
        return {
          summary: `incident ${incident.id} opened${incident.channelId ? ` in <#${incident.channelId}>` : ''}`,
          output: incident,
        };
      },
    },
  ],
  describeFailure: ({ input, deps, completedSteps, signal }) =>
    describeRollbackFailure(deps.cluster, input, completedSteps, signal),
});
