import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput } from '../core/cluster-inputs.ts';
import { changeMeta } from '../core/change-meta.ts';
import {
  backupNameAt,
  backupNameInput,
  describeBackup,
  ENVIRONMENT_LABEL,
  isGoodBackup,
  namespacesToBackUp,
  planned,
} from './backup-naming.ts';

/** Longest a step may wait on Velero; the policy's `backups.timeout` bounds the wait itself. */
const VELERO_STEP_MS = 3 * 3600_000;

/** The runbook's backup (`kubectl create backup`) as a Velero Backup of the environment's namespaces. */
export const backupCreate = defineAction({
  id: 'backup create',
  kind: 'planned',
  chapter: 'Disaster Recovery',
  summary: "Take a Velero backup of an environment's namespaces now and wait until it completes (Backup Strategy)",
  input: z.object({
    environment: environmentInput,
    reason: reasonInput,
    name: backupNameInput.optional().describe('the Backup name (default eafix-backup-<UTC date>-<time>)'),
  }),
  risk: 'change',
  permission: 'backup.create',
  approval: 'none',
  examples: [
    'backup create --reason "before the schema change"',
    'backup create --environment=staging --reason "before the load test"',
  ],
  plan: async ({ environment, name }, { deps }) => {
    const backup = name ?? backupNameAt(deps.now());
    const namespaces = namespacesToBackUp(deps, environment);
    if (await deps.cluster.getBackup(backup))
      throw new AppError('backup_exists', `A backup named ${backup} exists already.`, {
        hints: ['Pick another --name, or see `/eafix backup list`.'],
      });
    const { ttl, storageLocation } = deps.dr.policy.backups;
    return [
      {
        description: `create Velero backup ${backup} of ${namespaces.join(', ')} (kept ${ttl}${storageLocation ? `, location ${storageLocation}` : ''})`,
        change: { backup, environment, includedNamespaces: namespaces },
      },
      { description: `wait until Velero reports ${backup} Completed without errors`, change: { wait: backup } },
    ];
  },
  // The name is fixed by the plan: a resumed run finds the Backup it made instead of taking another.
  runInput: (input, plan) => ({ ...input, name: planned(plan, 'backup') ?? input.name }),
  target: (input) => `backup:${input.environment}`,
  steps: [
    {
      id: 'create',
      title: 'Create the Velero backup',
      run: async ({ input, deps, ...origin }) => {
        if (!input.name) throw new AppError('bad_plan', 'The run has no backup name; nothing was created.');
        const { ttl, storageLocation, snapshotVolumes } = deps.dr.policy.backups;
        const created = await deps.cluster.createBackup({
          name: input.name,
          includedNamespaces: namespacesToBackUp(deps, input.environment),
          ttl,
          ...(storageLocation ? { storageLocation } : {}),
          ...(snapshotVolumes !== undefined ? { snapshotVolumes } : {}),
          labels: { [ENVIRONMENT_LABEL]: input.environment },
          change: await changeMeta(deps, origin, input.reason),
        });
        return { summary: `Backup ${created.name} ${created.existed ? 'found (already created)' : 'created'}` };
      },
    },
    {
      id: 'wait',
      title: 'Wait until the backup completes',
      timeoutMs: VELERO_STEP_MS,
      run: async ({ input, deps, signal }) => {
        const name = input.name ?? '';
        const done = await deps.cluster.waitForBackup(name, { timeoutMs: deps.dr.policy.backups.timeout, signal });
        if (!isGoodBackup(done))
          throw new AppError(
            'backup_failed',
            `Backup ${name} finished ${describeBackup(done)}: it is not a good backup.`,
            {
              hints: [`See why with: velero backup describe ${name} --details`],
            },
          );
        return {
          summary: `${name} Completed: ${done.itemsDone ?? done.totalItems ?? 0} item(s)${done.warnings ? `, ${done.warnings} warning(s)` : ''}`,
          output: { name, completedAt: done.completedAt },
        };
      },
    },
  ],
});
