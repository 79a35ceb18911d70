import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { environmentInput } from '../core/cluster-inputs.ts';
import { backupNameInput, planned } from './backup-naming.ts';
import { findBackup } from './backup-lookup.ts';
import { checkBackup, cleanupScratch, reportVerification, testRestore } from './verify-steps.ts';

export const RESTORE_TEST_NAMESPACE = 'eafix-restore-test';

const input = z
  .object({
    backup: backupNameInput.optional(),
    latest: z.boolean().default(false).describe("the environment's newest finished backup"),
    environment: environmentInput,
    reason: z.string().min(5).default('Daily backup verification').describe('why, for the audit log'),
  })
  .refine((v) => v.backup !== undefined || v.latest, {
    message: 'name a backup (`backup verify eafix-backup-20261130-020000`) or give --latest',
    path: ['backup'],
  });

/**
 * The runbook's Backup Verification: the Backup completed without errors, then a test restore of it into
 * a scratch namespace and a check Job against what came back, and the scratch namespace deleted whatever
 * happened. A failure is posted to the ops channel and opens one incident per backup.
 */
export const backupVerify = defineAction({
  id: 'backup verify',
  kind: 'planned',
  chapter: 'Disaster Recovery',
  summary: `Verify a backup: completed without errors, test restore into ${RESTORE_TEST_NAMESPACE}, check Job, clean up`,
  positional: ['backup'],
  input,
  risk: 'change',
  permission: 'backup.verify',
  approval: 'none',
  examples: ['backup verify --latest', 'backup verify eafix-backup-20261130-020000'],
  plan: async (given, { deps }) => {
    const backup = await findBackup(deps, given);
    const namespace = deps.topology.environments[given.environment]?.namespace ?? given.environment;
    return [
      {
        description: `check that backup ${backup.name} (${backup.phase}) completed without errors`,
        change: { backup: backup.name },
      },
      {
        description: `restore ${backup.name} into ${RESTORE_TEST_NAMESPACE} (namespaceMapping ${namespace}→${RESTORE_TEST_NAMESPACE})`,
        change: { restore: backup.name, into: RESTORE_TEST_NAMESPACE },
      },
      {
        description: `run \`${[...deps.platformCli.command, 'database', 'verify', `--namespace=${RESTORE_TEST_NAMESPACE}`].join(' ')}\` against it`,
        change: { check: 'database verify' },
      },
      { description: `delete namespace ${RESTORE_TEST_NAMESPACE} (whatever happened)`, change: { cleanup: true } },
    ];
  },
  runInput: (given, plan) => ({ ...given, backup: planned(plan, 'backup') ?? given.backup }),
  target: () => `namespace:${RESTORE_TEST_NAMESPACE}`,
  onBusy: 'queue',
  steps: [
    { id: 'check-backup', title: 'Check the backup completed without errors', run: checkBackup },
    {
      id: 'test-restore',
      title: `Test restore into ${RESTORE_TEST_NAMESPACE} and check it`,
      timeoutMs: 3 * 3600_000,
      run: testRestore(RESTORE_TEST_NAMESPACE),
    },
    {
      id: 'cleanup',
      title: `Delete namespace ${RESTORE_TEST_NAMESPACE}`,
      timeoutMs: 15 * 60_000,
      run: cleanupScratch(RESTORE_TEST_NAMESPACE),
    },
    {
      id: 'report',
      title: 'Report the verification',
      run: async (ctx) => {
        const result = await reportVerification(ctx);
        if (!result.passed) throw new AppError('backup_unverified', result.text);
        return { summary: result.text };
      },
    },
  ],
});
