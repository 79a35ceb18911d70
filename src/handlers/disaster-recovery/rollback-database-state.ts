import type { Colour } from '../../cluster/cluster.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { versionOfImages } from '../deployment/colours.ts';

/** Every topology deployment of the environment that runs now, with its replicas: what "all services" stops. */
export async function servicesToStop(
  deps: Pick<ActionDeps, 'cluster'>,
  environment: string,
): Promise<Record<string, number>> {
  const deployments = await deps.cluster.status(environment, { fresh: true });
  return Object.fromEntries(
    deployments
      .filter((d) => d.service !== undefined && d.desired > 0)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((d) => [d.name, d.desired]),
  );
}

/** Waits until each deployment has rolled out at its new replica count. */
export async function waitForAll(
  deps: Pick<ActionDeps, 'cluster'>,
  environment: string,
  deployments: readonly string[],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  await Promise.all(deployments.map((d) => deps.cluster.waitForRollout(environment, d, { timeoutMs, signal })));
}

/** What a failed database rollback left the environment in, and the next command. */
export function describeDatabaseRollbackFailure(
  input: {
    environment: string;
    backup: string;
    services?: Record<string, number> | undefined;
    stopped?: Record<string, number> | undefined;
    switchTo?: Colour | undefined;
  },
  completed: ReadonlySet<string>,
): string {
  const env = input.environment;
  const scaleCommands = (replicas: Record<string, number> | undefined) =>
    Object.entries(replicas ?? {})
      .filter(([, n]) => n > 0)
      .map(([d, n]) => `\`/eafix scale ${d} ${n} --environment=${env} --reason "…"\``)
      .join(', ') || '`/eafix scale`';
  const moveGateway = (colour: Colour) => `\`/eafix rollback --to=${colour} --environment=${env} --reason "…"\``;
  // Before the restore is verified, what ran before comes back (runs planned before `stopped` existed: `services`).
  const ranBefore = scaleCommands(input.stopped ?? input.services);
  if (!completed.has('stop-services'))
    return `*State of ${env}:* services may be partly stopped.\n*Next:* \`/eafix status --environment=${env}\`; restart what is down with ${ranBefore}.`;
  if (!completed.has('verify')) {
    const restored = completed.has('restore')
      ? `the database was restored from ${input.backup} but did not pass \`database verify\``
      : 'the restore did not finish';
    return `:rotating_light: *State of ${env}:* all services are *stopped* (scaled to 0) and ${restored}.\n*Next:* find out why in the run's thread, then either run \`/eafix rollback database --backup ${input.backup} --environment=${env} --reason "…"\` again or bring services back with ${ranBefore}.`;
  }
  if (!completed.has('start-services'))
    return `:rotating_light: *State of ${env}:* the database was restored from ${input.backup} and verified; services were being brought back and some may still be down${input.switchTo ? `, and the gateway was not yet moved to ${input.switchTo}` : ''}.\n*Next:* \`/eafix status --environment=${env}\`; bring up what is down with ${scaleCommands(input.services)}${input.switchTo ? `, then ${moveGateway(input.switchTo)}` : ''}.`;
  if (input.switchTo)
    return `:rotating_light: *State of ${env}:* the database was restored and services run the previous version on ${input.switchTo}, but the gateway still selects the stopped colour: no traffic is served.\n*Next:* ${moveGateway(input.switchTo)} now.`;
  return `*State of ${env}:* the database was restored and services run.\n*Next:* \`/eafix status --environment=${env}\`.`;
}

/**
 * The runbook restarts services "with previous version" after a database rollback: the restored data is
 * the previous version's, so the gateway goes back to the colour traffic last came from (as the gateway
 * Service records it), at the live colour's replicas, and the live colour stays stopped. Undefined, with
 * the reason, when that cannot be done as recorded: services then restart at the version they ran.
 */
export async function previousVersionRestart(
  deps: Pick<ActionDeps, 'cluster' | 'topology'>,
  environment: string,
  services: Readonly<Record<string, number>>,
): Promise<{ restart: PreviousVersionRestart } | { why: string }> {
  const live = await deps.cluster.liveColour(environment, { fresh: true });
  const previous = live.previous;
  if (live.colour === 'unknown' || !previous || previous.colour === live.colour)
    return { why: 'the gateway records no previous colour to go back to' };
  const from = deps.topology.colours[live.colour];
  const to = deps.topology.colours[previous.colour];
  const [spec, current] = await Promise.all([
    deps.cluster.deploymentSpec(environment, to.deployment),
    deps.cluster.deploymentSpec(environment, from.deployment),
  ]);
  if (!spec) return { why: `${to.deployment}, the previous colour's deployment, does not exist` };
  const version = versionOfImages(spec.images);
  if (previous.version !== undefined && version !== previous.version)
    return {
      why: `${previous.colour} now runs ${version ?? 'an untagged image'}, not ${previous.version}, the version traffic left`,
    };
  const wanted = services[from.deployment] ?? to.replicas.default;
  return {
    restart: {
      from: live.colour,
      to: previous.colour,
      fromDeployment: from.deployment,
      toDeployment: to.deployment,
      fromVersion: current ? versionOfImages(current.images) : undefined,
      version,
      desired: spec.desired,
      replicas: Math.min(to.replicas.max, Math.max(to.replicas.min, wanted)),
    },
  };
}

export interface PreviousVersionRestart {
  from: Colour;
  to: Colour;
  fromDeployment: string;
  toDeployment: string;
  fromVersion: string | undefined;
  version: string | undefined;
  /** The previous colour's replicas now. */
  desired: number;
  /** What it is brought up to: the live colour's replicas, within the topology's bounds. */
  replicas: number;
}
