import type { Runs } from '../handlers/core/runs.ts';

/** Runs that changed what production serves: a deploy (any `deploy …` action) or a rollback. */
const isDeployOrRollback = (action: string) =>
  action === 'rollback' || action === 'deploy' || action.startsWith('deploy ');

/**
 * Whether a deploy or rollback run for `environment` started within `windowMs` of `now` (the runbook's
 * "a deploy in the last hour is the first suspect"). Cancelled runs changed nothing and do not count.
 */
export async function recentDeploy(
  runs: Pick<Runs, 'list'>,
  environment: string,
  now: Date,
  windowMs: number,
): Promise<boolean> {
  const since = now.getTime() - windowMs;
  const recent = await runs.list(50);
  return recent.some((run) => {
    if (!isDeployOrRollback(run.action) || run.status === 'cancelled') return false;
    if (run.createdAt.getTime() < since) return false;
    const input = run.input as { environment?: unknown } | undefined;
    return input?.environment === undefined || input.environment === environment;
  });
}
