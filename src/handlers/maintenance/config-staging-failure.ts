import type { FailureContext } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { PRODUCTION, STAGING, liveConfigMapName } from './config-versions.ts';

/**
 * A configuration change that failed before production was asked for: production is untouched (this
 * run never writes there), so say so, and what staging was left holding.
 */
export function describeStagingFailure(
  context: FailureContext<ActionDeps, { service: string; fromConfigmap: string }>,
): string {
  const { input, deps, completedSteps } = context;
  const live = liveConfigMapName(deps.topology, input.service);
  const untouched = `Nothing reached ${PRODUCTION}: its ${live} is unchanged and no production approval was asked for.`;
  if (!completedSteps.has('stage')) return `${untouched} ${STAGING} was not touched either.`;
  return `${untouched} ${STAGING}'s ${live} holds ${input.fromConfigmap}, which did not pass there; fix it and run \`/eafix config change ${input.service}\` again.`;
}
