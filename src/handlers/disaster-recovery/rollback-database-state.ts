import type { ActionDeps } from '../core/action-deps.ts';

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
  input: { environment: string; backup: string; services?: Record<string, number> | undefined },
  completed: ReadonlySet<string>,
): string {
  const env = input.environment;
  const restart = Object.entries(input.services ?? {})
    .map(([d, n]) => `\`/eafix scale ${d} ${n} --environment=${env} --reason "…"\``)
    .join(', ');
  if (!completed.has('stop-services'))
    return `*State of ${env}:* services may be partly stopped.\n*Next:* \`/eafix status --environment=${env}\`; restart what is down with ${restart || '`/eafix scale`'}.`;
  const restored = completed.has('restore')
    ? `the database was restored from ${input.backup}`
    : 'the restore did not finish';
  return `:rotating_light: *State of ${env}:* all services are *stopped* (scaled to 0) and ${restored}.\n*Next:* find out why in the run's thread, then either run \`/eafix rollback database --backup ${input.backup} --environment=${env} --reason "…"\` again or bring services back with ${restart}.`;
}
