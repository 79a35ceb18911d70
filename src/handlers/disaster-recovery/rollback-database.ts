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
import {
  describeDatabaseRollbackFailure,
  previousVersionRestart,
  servicesToStop,
  waitForAll,
} from './rollback-database-state.ts';
import { SET_BY_PLAN } from '../core/action-fields.ts';

const VELERO_STEP_MS = 3 * 3600_000;
const ROLLOUT_MS = 10 * 60_000;

/**
 * The runbook's Database Rollback: stop all services (each scaled to 0, its replicas recorded in the
 * approved plan), restore the database from a Velero backup (a Restore named by the run, so a resumed run
 * waits for the one it made), `database verify`, then bring every service back at its recorded replicas,
 * "with previous version" as the runbook says: the gateway goes back to the colour traffic last came from
 * (the restored data is that version's) and the rolled-back colour stays stopped; `--keep-version`, or no
 * previous colour on record, restarts the version that ran (the plan says which and why).
 */
export const rollbackDatabase = defineAction({
  id: 'rollback database',
  kind: 'planned',
  chapter: 'Disaster Recovery',
  summary:
    'Database Rollback: stop all services, restore the database from a backup, verify, restart services with the previous version',
  input: z.object({
    backup: backupNameInput,
    environment: environmentInput,
    reason: reasonInput,
    keepVersion: z
      .boolean()
      .default(false)
      .describe('restart the version running now, not the previous one (the corruption did not come with a deploy)'),
    services: z
      .record(z.string(), z.number().int().min(0))
      .optional()
      .describe('each deployment and the replicas it is brought back to')
      .meta(SET_BY_PLAN),
    stopped: z
      .record(z.string(), z.number().int().min(0))
      .optional()
      .describe('each deployment stopped and the replicas it ran at before')
      .meta(SET_BY_PLAN),
    switchTo: z
      .enum(['blue', 'green'])
      .optional()
      .describe('the colour the gateway goes back to, the previous version')
      .meta(SET_BY_PLAN),
  }),
  risk: 'destructive',
  permission: 'dr.rollback-database',
  approval: 'two-person',
  examples: [
    'rollback database --backup eafix-backup-20261130-020000 --reason "orders table corrupted by 4.2.1"',
    'rollback database --backup eafix-backup-20261130-020000 --keep-version --reason "disk fault, not a release"',
  ],
  plan: async ({ backup: name, environment, keepVersion }, { deps }) => {
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
    const previous = keepVersion
      ? { why: '--keep-version was given' }
      : await previousVersionRestart(deps, environment, services);
    const restart = 'restart' in previous ? previous.restart : undefined;
    const gateway = deps.topology.gateway.service;
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
      ...Object.entries(services)
        .filter(([deployment]) => deployment !== restart?.fromDeployment && deployment !== restart?.toDeployment)
        .map(([deployment, from]) => ({
          description: `scale deployment ${deployment} 0→${from} (restart at its recorded replicas)`,
          change: { start: deployment, to: from },
        })),
      ...(restart
        ? [
            {
              // Stopped with the rest first when it ran: it comes back from 0.
              description: `scale deployment ${restart.toDeployment} ${restart.toDeployment in services ? 0 : restart.desired}→${restart.replicas} (${restart.to}, the previous version${restart.version ? ` ${restart.version}` : ''}: the runbook restarts with the previous version)`,
              change: { start: restart.toDeployment, to: restart.replicas },
            },
            {
              description: `keep deployment ${restart.fromDeployment} stopped (${restart.from}${restart.fromVersion ? `, version ${restart.fromVersion}` : ''}, the version being rolled back)`,
              change: { keepStopped: restart.fromDeployment },
            },
            {
              description: `patch service ${gateway} selector ${restart.from}→${restart.to} in ${environment} once ${restart.to} is ready`,
              change: { environment, service: gateway, from: restart.from, to: restart.to },
            },
          ]
        : [
            {
              description: `services restart at the version they run now: ${'why' in previous ? previous.why : ''}`,
              change: { keepVersion: true },
            },
          ]),
    ];
  },
  // The replicas each service comes back at are the ones the approver saw.
  runInput: (input, plan) => {
    const services: Record<string, number> = {};
    const stopped: Record<string, number> = {};
    let switchTo: 'blue' | 'green' | undefined;
    for (const item of plan) {
      const change = item.change as
        | { stop?: string; from?: unknown; start?: string; to?: unknown; keepStopped?: string; service?: string }
        | undefined;
      // Stopped ones come back at 0 unless started below (the rolled-back colour stays stopped).
      if (change?.stop !== undefined) {
        services[change.stop] ??= 0;
        if (typeof change.from === 'number') stopped[change.stop] = change.from;
      }
      if (change?.start !== undefined && typeof change.to === 'number') services[change.start] = change.to;
      if (change?.keepStopped !== undefined) services[change.keepStopped] = 0;
      if (change?.service !== undefined && (change.to === 'blue' || change.to === 'green')) switchTo = change.to;
    }
    return { ...input, services, stopped, ...(switchTo ? { switchTo } : {}) };
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
    {
      id: 'switch-traffic',
      title: 'Switch the gateway to the previous version',
      run: async ({ input, deps, ...origin }) => {
        if (!input.switchTo) return { summary: 'not needed: services run the version they ran before' };
        const result = await deps.cluster.switchTraffic(
          input.environment,
          input.switchTo,
          await changeMeta(deps, origin, input.reason),
        );
        return {
          summary: `gateway selector ${result.from} → ${result.to}${result.changed ? '' : ` (already ${input.switchTo})`}`,
        };
      },
    },
  ],
  describeFailure: ({ input, completedSteps }) =>
    Promise.resolve(describeDatabaseRollbackFailure(input, completedSteps)),
});
