/**
 * A test restore (daily verification, monthly drill): the environment's namespace from a backup, mapped
 * into a scratch namespace. The Restore is named by the run, so a resumed step finds the one it made.
 */
import type { VeleroStatus } from '../../cluster/cluster.ts';
import type { StepContext } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { changeMeta } from '../core/change-meta.ts';
import { ENVIRONMENT_LABEL, RUN_LABEL, runObjectName } from './backup-naming.ts';

export async function restoreIntoScratch(
  ctx: StepContext<ActionDeps, { environment: string; reason: string }>,
  restore: { purpose: string; backup: string; scratch: string },
): Promise<VeleroStatus> {
  const { deps, input, runId, signal } = ctx;
  const namespace = deps.topology.environments[input.environment]?.namespace ?? input.environment;
  const name = runObjectName(restore.purpose, runId);
  await deps.cluster.createRestore({
    name,
    backupName: restore.backup,
    includedNamespaces: [namespace],
    namespaceMapping: { [namespace]: restore.scratch },
    labels: { [ENVIRONMENT_LABEL]: input.environment, [RUN_LABEL]: runId },
    change: await changeMeta(deps, ctx, input.reason),
  });
  return deps.cluster.waitForRestore(name, { timeoutMs: deps.dr.policy.backups.timeout, signal });
}
