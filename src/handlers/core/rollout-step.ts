import type { StepDefinition } from '../../jobs/run-definition.ts';
import type { ActionDeps } from './action-deps.ts';

const ROLLOUT_TIMEOUT_MS = 10 * 60_000;

/** The step that waits, by kubectl's rule, until a service's change has rolled out. */
export function waitForRolloutStep(
  title: string,
  targetOf: (input: unknown) => { environment: string; service: string },
  summarise: (deployment: string, message: string, input: unknown) => string = (deployment, message) => `${deployment}: ${message}`,
): StepDefinition<ActionDeps> {
  return {
    id: 'wait',
    title,
    timeoutMs: ROLLOUT_TIMEOUT_MS,
    run: async ({ input, deps, signal }) => {
      const { environment, service } = targetOf(input);
      // A little under the step's own timeout, so the rollout error (with its reason) wins the race.
      const progress = await deps.cluster.waitForRollout(environment, service, { timeoutMs: ROLLOUT_TIMEOUT_MS - 5_000, signal });
      return { summary: summarise(progress.deployment, progress.message, input) };
    },
  };
}
