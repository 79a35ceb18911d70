/**
 * The runbook's maintenance steps, each as the run steps that do it and the line the plan shows: the
 * `eafix-cli` commands and scripts as platform Jobs, the manifests as server-side applies, the monthly
 * full backup and its verification through the backups' own steps, and the certificate check.
 */
import type { MaintenanceStepId } from '../../config/maintenance-policy.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import type { ActionStep } from '../core/define-action.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import { backupCreate } from '../disaster-recovery/backup-create.ts';
import { backupNameAt } from '../disaster-recovery/backup-naming.ts';
import { backupVerify } from '../disaster-recovery/backup-verify.ts';
import { certificateCheck } from './certificate-check.ts';
import { applyArgv, type ManifestSet } from './manifest-apply.ts';
import type { WindowRunInput } from './window-input.ts';

type Step = ActionStep<WindowRunInput>;

export interface WindowStep {
  id: MaintenanceStepId;
  /** What the plan says this step does. */
  describe: (deps: ActionDeps) => string;
  /** How long it usually takes (the policy's `estimates` override it). */
  estimateMs: number;
  steps: Step[];
}

const MIN = 60_000;

/** One platform command: `eafix-cli <args>` (or a whole argv) as the step's Job. */
function command(
  id: MaintenanceStepId,
  title: string,
  estimateMs: number,
  words: (deps: ActionDeps) => { args?: string[]; argv?: string[] },
): WindowStep {
  const argvOf = (deps: ActionDeps) => {
    const w = words(deps);
    return w.argv ?? [...deps.platformCli.command, ...(w.args ?? [])];
  };
  return {
    id,
    describe: (deps) => `\`${argvOf(deps).join(' ')}\``,
    estimateMs,
    steps: [
      {
        id,
        title,
        timeoutMs: 3 * 3600_000,
        run: async (ctx) => {
          const result = await runPlatformCommand(ctx, {
            environment: ctx.input.environment,
            step: id,
            argv: argvOf(ctx.deps),
            reason: `${ctx.input.window} maintenance window: ${ctx.input.reason}`,
          });
          return { summary: `\`${result.argv.join(' ')}\` succeeded`, output: result.result };
        },
      },
    ],
  };
}

const manifests = (id: MaintenanceStepId, set: ManifestSet, title: string): WindowStep =>
  command(id, title, 10 * MIN, (deps) => ({ argv: applyArgv(deps, set, 'apply') }));

/** The window's full backup, named by the occurrence so a resumed step finds the Backup it made. */
const fullBackupName = (input: WindowRunInput) => `${backupNameAt(new Date(input.startsAt))}-full`;
const backupInput = (input: WindowRunInput) => ({
  environment: input.environment,
  reason: `${input.window} maintenance window: full backup`,
  name: fullBackupName(input),
});
const verifyInput = (input: WindowRunInput) => ({
  backup: fullBackupName(input),
  latest: false,
  environment: input.environment,
  reason: `${input.window} maintenance window: verify the full backup`,
});

export const WINDOW_STEPS: Readonly<Record<MaintenanceStepId, WindowStep>> = {
  'maintenance-on': command('maintenance-on', 'Enable maintenance mode', MIN, () => ({
    args: ['maintenance', 'enable', '--scheduled'],
  })),
  vacuum: command('vacuum', 'Vacuum and analyse the database', 20 * MIN, () => ({
    args: ['database', 'vacuum', '--analyze'],
  })),
  reindex: command('reindex', 'Reindex the critical tables', 15 * MIN, () => ({
    args: ['database', 'reindex', '--critical-only'],
  })),
  'logs-cleanup': command('logs-cleanup', 'Clear old logs', 5 * MIN, (deps) => ({
    args: ['logs', 'cleanup', `--older-than=${deps.maintenance.policy.logRetention}`],
  })),
  'metrics-cleanup': command('metrics-cleanup', 'Clean up metrics past their retention', 5 * MIN, (deps) => ({
    argv: ['prometheus-cleanup.sh', `--retention=${deps.maintenance.policy.metricsRetention}`],
  })),
  'security-patches': manifests('security-patches', 'securityPatches', 'Apply the security-patch manifests'),
  doctor: command('doctor', 'Verify system health', 5 * MIN, () => ({ args: ['doctor', '--comprehensive'] })),
  'maintenance-off': command('maintenance-off', 'Disable maintenance mode', MIN, () => ({
    args: ['maintenance', 'disable'],
  })),
  'full-backup': {
    id: 'full-backup',
    describe: () => 'full Velero backup of the environment, waited for until Completed',
    estimateMs: 45 * MIN,
    steps: [
      {
        id: 'full-backup',
        title: 'Full system backup',
        timeoutMs: 3 * 3600_000,
        run: async (ctx) => {
          const input = backupInput(ctx.input);
          const [create, wait] = backupCreate.steps;
          await create!.run({ ...ctx, input });
          return (await wait!.run({ ...ctx, input })) ?? {};
        },
      },
    ],
  },
  'verify-backup': {
    id: 'verify-backup',
    describe: () => 'verify the full backup: test restore into eafix-restore-test, `database verify`, clean up',
    estimateMs: 30 * MIN,
    // The verification's own steps, ids kept: they read each other's outputs by id.
    steps: backupVerify.steps.map((step): Step => ({
      ...step,
      run: (ctx) => step.run({ ...ctx, input: verifyInput(ctx.input) }),
    })),
  },
  'database-optimize': command('database-optimize', 'Optimise the database', 30 * MIN, () => ({
    args: ['database', 'optimize', '--full'],
  })),
  certificates: {
    id: 'certificates',
    describe: (deps) =>
      `cert-manager Certificates expiring within ${Math.round(deps.maintenance.policy.certificates.expiringWithin / 86_400_000)} days${deps.maintenance.policy.certificates.renew ? ', renewed with `cmctl renew`' : ' (reported, not renewed)'}`,
    estimateMs: 5 * MIN,
    steps: [{ id: 'certificates', title: 'Certificate renewal check', timeoutMs: 30 * MIN, run: certificateCheck }],
  },
  'security-updates': manifests('security-updates', 'securityUpdates', 'Apply the security-update manifests'),
  benchmark: command('benchmark', 'Performance benchmarking', 20 * MIN, () => ({
    args: ['benchmark', 'run', '--save-results'],
  })),
  'capacity-report': command('capacity-report', 'Capacity planning review', 10 * MIN, () => ({
    args: ['capacity', 'analyze', '--generate-report'],
  })),
};

/** How long a step is expected to take: the policy's estimate, else the step's own. */
export const estimateOf = (deps: Pick<ActionDeps, 'maintenance'>, id: MaintenanceStepId): number =>
  deps.maintenance.policy.estimates[id] ?? WINDOW_STEPS[id].estimateMs;
