import type { PlanItem } from '../../permissions/approval-types.ts';
import type { ActionStep } from './define-action.ts';

const ROLLOUT_TIMEOUT_MS = 10 * 60_000;

interface ServiceTarget {
  environment: string;
  service: string;
}

/** The step that waits, by kubectl's rule, until a service's change has rolled out. */
export function waitForRolloutStep<Input extends ServiceTarget>(
  title: string,
  summarise: (deployment: string, message: string, input: Input) => string = (deployment, message) =>
    `${deployment}: ${message}`,
): ActionStep<Input> {
  return {
    id: 'wait',
    title,
    timeoutMs: ROLLOUT_TIMEOUT_MS,
    run: async ({ input, deps, signal }) => {
      // A little under the step's own timeout, so the rollout error (with its reason) wins the race.
      const progress = await deps.cluster.waitForRollout(input.environment, input.service, {
        timeoutMs: ROLLOUT_TIMEOUT_MS - 5_000,
        signal,
      });
      return { summary: summarise(progress.deployment, progress.message, input) };
    },
  };
}

/**
 * A service change is one change per service and environment. A gateway colour is the environment's own
 * (a deploy or rollback scales it and moves traffic to or from it): scaling or restarting one claims the
 * environment, so `scale blue 0` never runs beside a rollback to blue.
 */
export const serviceTarget = (input: ServiceTarget): string =>
  input.service === 'blue' || input.service === 'green'
    ? `env:${input.environment}`
    : `service:${input.environment}/${input.service}`;

/**
 * The run's input with the service named as the approved plan resolved it (`change.service`, the topology's
 * name): `scale eafix-risk-manager` and `scale risk-manager` are one deployment, so one target.
 */
export function withPlannedService<Input extends { service: string }>(input: Input, plan: readonly PlanItem[]): Input {
  const service = plan[0]?.change?.['service'];
  return typeof service === 'string' ? { ...input, service } : input;
}
