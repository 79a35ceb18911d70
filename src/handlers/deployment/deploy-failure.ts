/**
 * What a stopped deploy left the environment in, and the next command: read from the cluster where it
 * answers, from the run's checkpoints otherwise. Make before break keeps them meaningful: the gateway
 * only moves to a ready colour, and a critical breach moved it back already.
 */
import type { FailureContext } from '../../jobs/run-definition.ts';
import { describeError } from '../../jobs/retry-policy.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import type { DeployInput } from './deploy-input.ts';

export async function describeDeployFailure(context: FailureContext<ActionDeps, DeployInput>): Promise<string> {
  const { input, deps, completedSteps } = context;
  const env = input.environment;
  const from = input.from ?? 'the previous colour';
  const colour = input.colour ?? 'the new colour';
  const quiesced = input.migrate && completedSteps.has('quiesce');
  const platform = quiesced
    ? `\n:warning: Trading is *stopped* and maintenance mode is *on* (this run's step 3): \`/eafix trading start --environment=${env} --reason "…"\` and \`/eafix maintenance disable --environment=${env}\` once it is safe.`
    : '';
  let live: string;
  try {
    live = (await deps.cluster.liveColour(env, { fresh: true })).colour;
  } catch (error) {
    live = `unknown (${describeError(error) ?? 'no answer'})`;
  }
  const retry = `\`/eafix deploy ${input.version} --environment=${env}${input.migrate ? ' --migrate' : ''} --checklist=all --reason "…"\``;
  if (live === input.colour && input.colour) {
    return `*State of ${env}:* the gateway selects ${colour} (${input.version}); ${from} still has its pods unless step 9 ran.${platform}\n*Next:* \`/eafix rollback --environment=${env} --reason "…"\` returns to ${from}; or check \`/eafix status --environment=${env} --verbose\` and finish by hand.`;
  }
  const touched = completedSteps.has('deploy-idle') ? ` ${colour} runs ${input.version} but takes no traffic.` : '';
  return `*State of ${env}:* the gateway selects ${live}; production traffic was not moved to the new version (or was moved back).${touched}${platform}\n*Next:* see the failed step above, then ${retry} to try again.`;
}
