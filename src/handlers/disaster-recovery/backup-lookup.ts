import { AppError } from '../../app-error.ts';
import type { VeleroStatus } from '../../cluster/cluster.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { ENVIRONMENT_LABEL } from './backup-naming.ts';

/**
 * A named backup, or the environment's newest finished one (`--latest`): labelled with the environment
 * by `backup create`, or any Velero backup (a Velero Schedule's) that includes the environment's namespace.
 * Newest finished, whatever its phase: a PartiallyFailed newest backup must fail verification, not be skipped.
 */
export async function findBackup(
  deps: Pick<ActionDeps, 'cluster' | 'topology'>,
  wanted: { backup?: string | undefined; environment: string },
): Promise<VeleroStatus> {
  if (wanted.backup) {
    const found = await deps.cluster.getBackup(wanted.backup);
    if (found) return found;
    throw new AppError('backup_not_found', `There is no Velero backup named ${wanted.backup}.`, {
      hints: ['See the backups with `/eafix backup list`.'],
    });
  }
  const namespace = deps.topology.environments[wanted.environment]?.namespace;
  const all = await deps.cluster.listBackups();
  const latest = all.find(
    (b) =>
      b.terminal &&
      (b.labels[ENVIRONMENT_LABEL] === wanted.environment ||
        (namespace !== undefined && b.includedNamespaces.includes(namespace))),
  );
  if (latest) return latest;
  throw new AppError('backup_not_found', `There is no finished backup of ${wanted.environment}.`, {
    hints: [`Take one with \`/eafix backup create --environment=${wanted.environment} --reason "…"\`.`],
  });
}
