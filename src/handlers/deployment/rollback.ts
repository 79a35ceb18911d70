import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput } from '../core/cluster-inputs.ts';
import { changeMeta } from '../core/change-meta.ts';
import { describeRollbackFailure } from './rollback-state.ts';
import { rollbackColour, versionOfImages } from './colours.ts';

const ROLLOUT_TIMEOUT_MS = 10 * 60_000;
const ENDPOINTS_TIMEOUT_MS = 2 * 60_000;
/** The endpoints follow the selector within a moment: look again soon, then less often. */
const ENDPOINTS_FIRST_POLL_MS = 20;
const ENDPOINTS_MAX_POLL_MS = 250;

/**
 * The runbook's Immediate Rollback, make before break: the *previous* colour (the one the gateway Service
 * recorded when traffic last moved; the idle colour when it recorded none — the runbook's blue after the
 * first green deploy) is scaled up and ready before the gateway moves to it, so whatever fails, the
 * gateway points at a colour with ready pods. Then the gateway's endpoints are verified and the incident
 * documented.
 */
export const rollback = defineAction({
  id: 'rollback',
  kind: 'planned',
  chapter: 'Deployment',
  summary:
    'Immediate Rollback: scale the previous colour up, switch gateway traffic back to it once ready, verify, open an incident',
  input: z.object({
    environment: environmentInput,
    replicas: z.coerce
      .number()
      .int()
      .min(1)
      .optional()
      .describe("the previous colour's replicas (default from the policy)"),
    to: z.enum(['blue', 'green']).optional().describe('the colour to return to (default: the previous one)'),
    reason: reasonInput,
  }),
  risk: 'destructive',
  permission: 'deploy.rollback',
  approval: 'two-person',
  examples: [
    'rollback --reason "errors after the green deploy"',
    'rollback --environment=staging --replicas=2 --reason "smoke tests failed"',
  ],
  // Reads only: an approver's click may read it again while the click is audited.
  planReadsOnly: true,
  plan: async ({ environment, replicas, to }, { deps }) => {
    // Planned again on the approval click: both colours' deployments are read (small, at once), not
    // every deployment and pod of the namespace, since the live colour says which one is wanted.
    const { colours } = deps.topology;
    const [live, blue, green] = await Promise.all([
      deps.cluster.liveColour(environment, { fresh: true }),
      deps.cluster.deploymentSpec(environment, colours.blue.deployment),
      deps.cluster.deploymentSpec(environment, colours.green.deployment),
    ]);
    const colour = to ?? rollbackColour(live);
    const spec = colours[colour];
    const current = colour === 'blue' ? blue : green;
    const wanted = replicas ?? spec.replicas.default;
    if (wanted < spec.replicas.min || wanted > spec.replicas.max) {
      throw new AppError(
        'replicas_out_of_bounds',
        `${colour} takes ${spec.replicas.min}–${spec.replicas.max} replicas.`,
      );
    }
    const desired = current?.desired ?? 0;
    const version = current ? versionOfImages(current.images) : undefined;
    const gateway = deps.topology.gateway;
    const scaleTo = Math.max(desired, wanted);
    // Make before break: the colour is ready before the gateway moves to it.
    return [
      {
        description: `scale deployment ${spec.deployment} ${desired}→${scaleTo}${version ? ` (version ${version})` : ''}`,
        change: { deployment: spec.deployment, colour, from: desired, to: scaleTo },
      },
      { description: `wait until ${spec.deployment} is ready (${scaleTo} pods)`, change: { wait: spec.deployment } },
      {
        description: `patch service ${gateway.service} selector ${gateway.selectorKey} ${live.colour}→${colour} in ${environment}${live.colour === colour ? ` (already ${colour})` : ''}`,
        change: { environment, service: gateway.service, from: live.colour, to: colour },
      },
      { description: `verify that the gateway serves ${colour} endpoints only`, change: { verify: true } },
      { description: 'open an incident: "Emergency rollback", severity high', change: { incident: true } },
    ];
  },
  // The run scales the approved colour to exactly the approved count.
  runInput: (input, plan) => {
    const scale = plan
      .map((step) => step.change as { deployment?: string; colour?: 'blue' | 'green'; to?: number })
      .find((change) => change.deployment !== undefined && change.to !== undefined);
    return { ...input, replicas: scale?.to ?? input.replicas, to: scale?.colour ?? input.to };
  },
  target: (input) => `env:${input.environment}`,
  steps: [
    {
      id: 'scale-up',
      title: 'Scale the previous colour up',
      run: async ({ input, deps, ...origin }) => {
        // runInput fixed colour and count from the plan; the defaults only for a run stored without them.
        const colour = input.to ?? 'blue';
        const replicas = input.replicas ?? deps.topology.colours[colour].replicas.default;
        const result = await deps.cluster.scale(
          input.environment,
          colour,
          replicas,
          await changeMeta(deps, origin, input.reason),
        );
        return {
          summary: `${result.deployment}: ${result.from} → ${result.to} replicas${result.changed ? '' : ' (already)'}`,
        };
      },
    },
    {
      id: 'target-ready',
      title: 'Wait until it is ready',
      timeoutMs: ROLLOUT_TIMEOUT_MS,
      run: async ({ input, deps, signal }) => {
        const colour = input.to ?? 'blue';
        const progress = await deps.cluster.waitForRollout(input.environment, colour, {
          timeoutMs: ROLLOUT_TIMEOUT_MS - 5_000,
          signal,
        });
        if (progress.ready === 0)
          throw new AppError(
            'rollback_target_empty',
            `${colour} in ${input.environment} has no ready pods; the gateway was not switched.`,
          );
        return { summary: `${colour} ready: ${progress.ready}/${progress.desired} pods` };
      },
    },
    {
      id: 'switch-traffic',
      title: 'Switch gateway traffic back',
      run: async ({ input, deps, ...origin }) => {
        const colour = input.to ?? 'blue';
        const result = await deps.cluster.switchTraffic(
          input.environment,
          colour,
          await changeMeta(deps, origin, input.reason),
        );
        return {
          summary: `gateway selector ${result.from} → ${result.to}${result.changed ? '' : ` (already ${colour})`}`,
        };
      },
    },
    {
      id: 'verify',
      title: 'Verify the gateway serves it only',
      timeoutMs: ENDPOINTS_TIMEOUT_MS + 10_000,
      run: async ({ input, deps, signal }) => {
        const colour = input.to ?? 'blue';
        const other = colour === 'blue' ? 'green' : 'blue';
        // The endpoints controller follows the selector change a moment later.
        const deadline = deps.now().getTime() + ENDPOINTS_TIMEOUT_MS;
        for (let pauseMs = ENDPOINTS_FIRST_POLL_MS; ; pauseMs = Math.min(ENDPOINTS_MAX_POLL_MS, pauseMs * 2)) {
          const endpoints = await deps.cluster.gatewayEndpoints(input.environment);
          if (endpoints.colours[colour] > 0 && endpoints.colours[other] === 0)
            return { summary: `gateway serves ${endpoints.colours[colour]} ${colour} endpoint(s)` };
          if (deps.now().getTime() > deadline) {
            throw new AppError(
              'rollback_unverified',
              `The gateway has ${endpoints.colours[colour]} ${colour} and ${endpoints.colours[other]} ${other} ready endpoint(s); expected ${colour} only.`,
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
