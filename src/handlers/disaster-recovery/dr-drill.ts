import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput } from '../core/cluster-inputs.ts';
import { backupNameInput } from './backup-naming.ts';
import { cleanupDrill, DRILL_NAMESPACE, pickBackup, recover, reportDrill } from './drill-steps.ts';

/**
 * The runbook's Monthly DR Drill: restore from backup into an isolated namespace, run the integration
 * tests there, measure the recovery time against the RTO table, keep and post the result, clean up always.
 */
export const drDrill = defineAction({
  id: 'dr drill',
  kind: 'planned',
  chapter: 'Disaster Recovery',
  summary: `DR drill: restore a backup into ${DRILL_NAMESPACE}, run the integration tests, measure recovery against the RTO table`,
  input: z.object({
    environment: environmentInput,
    backup: backupNameInput.optional().describe('the backup to recover from (default: the newest good one)'),
    reason: z.string().min(5).default('Monthly DR drill').describe('why, for the audit log'),
  }),
  risk: 'change',
  permission: 'dr.drill',
  approval: 'none',
  examples: ['dr drill', 'dr drill --backup eafix-backup-20261130-020000'],
  plan: async ({ environment, backup }, { deps }) => {
    const namespace = deps.topology.environments[environment]?.namespace ?? environment;
    const { rto, rpo } = deps.dr.policy.objectives['database-corruption'];
    return [
      {
        description: `restore ${backup ?? `the newest good backup of ${environment}`} into ${DRILL_NAMESPACE} (namespaceMapping ${namespace}→${DRILL_NAMESPACE})`,
        change: { backup: backup ?? 'latest', into: DRILL_NAMESPACE },
      },
      {
        description: `run \`${[...deps.platformCli.command, 'test', 'integration', `--namespace=${DRILL_NAMESPACE}`].join(' ')}\``,
        change: { test: 'integration' },
      },
      {
        description: `measure the recovery time and compare it with the RTO table (database corruption: RTO ${rto / 60_000}m, RPO ${rpo / 60_000}m)`,
        change: { measure: true },
      },
      { description: `delete namespace ${DRILL_NAMESPACE} (whatever happened)`, change: { cleanup: true } },
    ];
  },
  target: () => `namespace:${DRILL_NAMESPACE}`,
  onBusy: 'queue',
  steps: [
    { id: 'pick-backup', title: 'Start the drill: pick the backup', run: pickBackup },
    {
      id: 'recover',
      title: `Restore into ${DRILL_NAMESPACE} and run the integration tests`,
      timeoutMs: 3 * 3600_000,
      run: recover,
    },
    { id: 'cleanup', title: `Delete namespace ${DRILL_NAMESPACE}`, timeoutMs: 15 * 60_000, run: cleanupDrill },
    { id: 'report', title: 'Measure and report against the RTO table', run: reportDrill },
  ],
});
