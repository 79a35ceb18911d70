import type { Cluster } from '../../cluster/cluster.ts';
import { describeError } from '../../jobs/retry-policy.ts';

interface RollbackTarget {
  environment: string;
  /** The colour the rollback returns to (blue for a run stored before colours alternated). */
  to?: 'blue' | 'green' | undefined;
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    }),
  ]);
}

/**
 * What a failed rollback left production in, and the next command to run. Read from the cluster when it
 * answers; otherwise from the run's checkpoints, which make-before-break keeps meaningful: the gateway
 * only moves once the colour it returns to is ready.
 */
export async function describeRollbackFailure(
  cluster: Cluster,
  input: RollbackTarget,
  completedSteps: ReadonlySet<string>,
  signal: AbortSignal,
): Promise<string> {
  const env = input.environment;
  const target = input.to ?? 'blue';
  const status = `\`/eafix status --environment=${env} --verbose\``;
  const retry = `\`/eafix rollback --environment=${env} --reason "…"\``;
  let live: Awaited<ReturnType<Cluster['liveColour']>>;
  let endpoints: Awaited<ReturnType<Cluster['gatewayEndpoints']>>;
  try {
    [live, endpoints] = await abortable(Promise.all([cluster.liveColour(env), cluster.gatewayEndpoints(env)]), signal);
  } catch (error) {
    const why = describeError(error) ?? 'no answer';
    const state = completedSteps.has('switch-traffic')
      ? `the gateway had been switched to ${target} after ${target} was ready`
      : `the gateway had not been switched: ${env} stays on the colour it was on, which this run did not touch`;
    return `*State of ${env}:* I could not read the cluster to confirm (${why}). When the run stopped, ${state}.\n*Next:* ${status} once the cluster answers${completedSteps.has('switch-traffic') ? '' : `, then ${retry} to try again`}.`;
  }
  const readyOnLive = live.colour === 'unknown' ? endpoints.ready : endpoints.colours[live.colour];
  if (readyOnLive === 0) {
    return `:rotating_light: *State of ${env}:* the gateway selects ${live.colour}, which has *no ready endpoints*: traffic is failing.\n*Next:* ${status} to see which colour has ready pods, then ${retry}.`;
  }
  if (live.colour === target) {
    const next = completedSteps.has('verify')
      ? `document it with \`/eafix incident create --title "Emergency rollback of ${env}" --severity=high\``
      : `${status} to confirm the gateway serves ${target} only`;
    return `*State of ${env}:* served by ${target} with ${readyOnLive} ready endpoint(s); the rollback's traffic switch is in place.\n*Next:* ${next}.`;
  }
  return `*State of ${env}:* still served by ${live.colour} with ${readyOnLive} ready endpoint(s); the gateway was not switched.\n*Next:* ${status} to see why ${target} is not ready, then ${retry} to try again.`;
}
