import type { ActionStep } from './define-action.ts';
import type { ServiceTarget } from './service-target.ts';

const ROLLOUT_TIMEOUT_MS = 10 * 60_000;

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
