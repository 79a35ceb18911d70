import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput } from '../core/cluster-inputs.ts';
import { changeMeta } from '../core/change-meta.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import {
  backupAgeMs,
  backupNameInput,
  describeBackup,
  ENVIRONMENT_LABEL,
  formatDuration,
  isGoodBackup,
  RUN_LABEL,
  runObjectName,
} from './backup-naming.ts';
import { describeDatabaseRollbackFailure, servicesToStop, waitForAll } from './rollback-database-state.ts';
import { SET_BY_PLAN } from '../core/action-fields.ts';

const VELERO_STEP_MS = 3 * 3600_000;
const ROLLOUT_MS = 10 * 60_000;

/**
 * The runbook's Database Rollback: stop all services (each scaled to 0, its replicas recorded in the
 * approved plan), restore the database from a Velero backup (a Restore named by the run, so a resumed run
 * waits for the one it made), `database verify`, then bring every service back at its recorded replicas.
 */
export const rollbackDatabase = defineAction({
  id: 'rollback database',
  kind: 'planned',
  chapter: 'Disaster Recovery',
  summary: 'Database Rollback: stop all services, restore the database from a backup, verify, restart services',
  input: z.object({
    backup: backupNameInput,
    environment: environmentInput,
    reason: reasonInput,
    services: z
      .record(z.string(), z.number().int().min(0))
      .optional()
      .describe('each deployment and the replicas it is brought back to')
      .meta(SET_BY_PLAN),
  }),
  risk: 'destructive',
  permission: 'dr.rollback-database',
  approval: 'two-person',
  examples: ['rollback database --backup eafix-backup-20261130-020000 --reason "orders table corrupted by 4.2.1"'],
  plan: async ({ backup: name, environment }, { deps }) => {
    const backup = await deps.cluster.getBackup(name);
    if (!backup)
      throw new AppError('backup_not_found', `There is no Velero backup named ${name}.`, {
        hints: ['See the backups with `/eafix backup list`.'],
      });
    if (!isGoodBackup(backup))
      throw new AppError(
        'backup_not_good',
        `Backup ${name} is ${describeBackup(backup)}: it cannot be restored from.`,
        {
          hints: ['Pick a Completed backup from `/eafix backup list`.'],
        },
      );
    const namespace = deps.topology.environments[environment]?.namespace ?? environment;
    if (!backup.includedNamespaces.includes(namespace) && !backup.includedNamespaces.includes('*'))
      throw new AppError('backup_wrong_environment', `Backup ${name} does not include ${namespace}.`);
    const services = await servicesToStop(deps, environment);
    // Absolute times only: the plan is recomputed when approved, and must read the same then.
    const takenAt = backup.completedAt ?? backup.createdAt ?? '';
    const rpo = deps.dr.policy.objectives['database-corruption'].rpo;
    const beyondRpo = (backupAgeMs(backup, deps.now()) ?? 0) > rpo;
    const lost = `:warning: RPO: data written to ${environment} after ${takenAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')} (when the backup completed) is lost; the runbook's RPO for database corruption is ${formatDuration(rpo)}${beyondRpo ? ', and this backup is older than that' : ''}`;
    return [
      { description: lost, change: { backup: name, takenAt } },
      ...Object.entries(services).map(([deployment, from]) => ({
        description: `scale deployment ${deployment} ${from}→0 (stop)`,
        change: { stop: deployment, from },
      })),
      {
        description: `restore backup ${name} into ${namespace} (Velero Restore) and wait until it completes`,
        change: { restore: name, namespace },
      },
      {
        description: `run \`${[...deps.platformCli.command, 'database', 'verify'].join(' ')}\` in ${environment}`,
        change: { verify: true },
      },
      ...Object.entries(services).map(([deployment, from]) => ({
        description: `scale deployment ${deployment} 0→${from} (restart at its recorded replicas)`,
        change: { start: deployment, to: from },
      })),
    ];
  },
  // The replicas each service comes back at are the ones the approver saw.
  runInput: (input, plan) => {
    const services: Record<string, number> = {};
    for (const item of plan) {
      const change = item.change as { stop?: string; from?: number } | undefined;
      if (change?.stop !== undefined && change.from !== undefined) services[change.stop] = change.from;
    }
    return { ...input, services };
  },
  target: (input) => `env:${input.environment}`,
  // It stops and starts every service: no scale, restart or configuration change of one may run meanwhile.
  covers: (input) => `service:${input.environment}/`,
  steps: [
    {
      id: 'stop-services',
      title: 'Stop all services (scale to 0)',
      timeoutMs: ROLLOUT_MS + 60_000,
      run: async ({ input, deps, signal, ...origin }) => {
        const change = await changeMeta(deps, origin, input.reason);
        const names = Object.keys(input.services ?? {});
        for (const deployment of names)
          await deps.cluster.scale(input.environment, deployment, 0, change, { isolate: true });
        await waitForAll(deps, input.environment, names, ROLLOUT_MS, signal);
        return { summary: `${names.length} deployment(s) scaled to 0` };
      },
    },
    {
      id: 'restore',
      title: 'Restore the database from the backup',
      timeoutMs: VELERO_STEP_MS,
      run: async ({ input, deps, signal, runId, ...origin }) => {
        const namespace = deps.topology.environments[input.environment]?.namespace ?? input.environment;
        const name = runObjectName('dbrestore', runId);
        const created = await deps.cluster.createRestore({
          name,
          backupName: input.backup,
          includedNamespaces: [namespace],
          labels: { [ENVIRONMENT_LABEL]: input.environment, [RUN_LABEL]: runId },
          change: await changeMeta(deps, origin, input.reason),
        });
        const done = await deps.cluster.waitForRestore(name, { timeoutMs: deps.dr.policy.backups.timeout, signal });
        if (!isGoodBackup(done))
          throw new AppError('restore_failed', `Restore ${name} finished ${describeBackup(done)}.`, {
            hints: [`See why with: velero restore describe ${name} --details`],
          });
        const backup = await deps.cluster.getBackup(input.backup);
        const age = backup ? backupAgeMs(backup, deps.now()) : undefined;
        return {
          summary: `Restore ${name}${created.existed ? ' (found, made before a restart)' : ''} Completed: ${done.itemsDone ?? 0} item(s)${done.warnings ? `, ${done.warnings} warning(s)` : ''}${age !== undefined ? `; the data is ${formatDuration(age)} old` : ''}`,
        };
      },
    },
    {
      id: 'verify',
      title: 'Verify database integrity',
      run: async (ctx) => {
        const result = await runPlatformCommand(ctx, {
          environment: ctx.input.environment,
          step: 'database-verify',
          args: ['database', 'verify'],
          reason: ctx.input.reason,
        });
        return { summary: `\`${result.argv.join(' ')}\` passed` };
      },
    },
    {
      id: 'start-services',
      title: 'Restart services at their recorded replicas',
      timeoutMs: ROLLOUT_MS + 60_000,
      run: async ({ input, deps, signal, ...origin }) => {
        const change = await changeMeta(deps, origin, input.reason);
        const services = Object.entries(input.services ?? {});
        for (const [deployment, replicas] of services)
          await deps.cluster.scale(input.environment, deployment, replicas, change, { isolate: replicas === 0 });
        await waitForAll(
          deps,
          input.environment,
          services.map(([d]) => d),
          ROLLOUT_MS,
          signal,
        );
        return { summary: services.map(([d, n]) => `${d}: ${n}`).join(', ') || 'no services to restart' };
      },
    },
  ],
  describeFailure: ({ input, completedSteps }) =>
    Promise.resolve(describeDatabaseRollbackFailure(input, completedSteps)),
});
