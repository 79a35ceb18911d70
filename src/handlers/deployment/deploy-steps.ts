/**
 * The Production Deployment Process's steps, each idempotent and checkpointed: a platform command runs
 * as a Job named by run + step (a resumed step re-attaches), cluster writes skip what is already done,
 * the backup is named by the run.
 */
import { AppError } from '../../app-error.ts';
import { platformJobName } from '../../cluster/kube-jobs.ts';
import { namespaceFor } from '../../cluster/cluster-targets.ts';
import type { ActionStep } from '../core/define-action.ts';
import { changeMeta } from '../core/change-meta.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import type { DeployInput } from './deploy-input.ts';

type Step = ActionStep<DeployInput>;
type Ctx = Parameters<Step['run']>[0];

/** The colours, image and count the approved plan fixed (runInput). */
export function fixed(input: DeployInput): {
  colour: 'blue' | 'green';
  from: 'blue' | 'green';
  image: string;
  replicas: number;
} {
  if (!input.colour || !input.from || !input.image || !input.replicas)
    throw new AppError('deploy_unplanned', 'This deploy run has no approved plan (colour, image); start it again.');
  return { colour: input.colour, from: input.from, image: input.image, replicas: input.replicas };
}

/** After a "Retry step" decision the commands run as new Jobs (the failed ones would be re-attached), named by the decision so a crash re-attaches. */
const generationOf = (ctx: Ctx) =>
  ctx.decision ? 2 + (Math.floor(ctx.decision.decidedAt.getTime() / 1000) % 100_000) : undefined;

const cli = (ctx: Ctx, step: string, args: string[], extra: { image?: string; argv?: string[] } = {}) =>
  runPlatformCommand(ctx, {
    environment: ctx.input.environment,
    step,
    args,
    reason: ctx.input.reason,
    ...(generationOf(ctx) ? { generation: generationOf(ctx) } : {}),
    ...extra,
  });

/** The backup a deploy makes: one per run, so a resumed step finds the one it started. */
export const deployBackupName = (runId: string): string => platformJobName('eafix-deploy', runId);

export const preflight: Step = {
  id: 'preflight',
  title: 'Pre-flight: eafix-cli doctor and status --verbose',
  timeoutMs: 30 * 60_000,
  run: async (ctx) => {
    const doctor = await cli(ctx, 'preflight-doctor', ['doctor', `--environment=${ctx.input.environment}`]);
    const status = await cli(ctx, 'preflight-status', ['status', '--verbose']);
    return { summary: `doctor ok (Job ${doctor.job}); status ok (Job ${status.job})`, output: status.result };
  },
};

export const backup: Step = {
  id: 'backup',
  title: 'Backup (Velero) and verify',
  timeoutMs: 60 * 60_000,
  run: async ({ input, deps, runId, signal, ...origin }) => {
    const name = deployBackupName(runId);
    const namespace = namespaceFor(deps.topology, input.environment);
    await deps.cluster.createBackup({
      name,
      includedNamespaces: [namespace],
      labels: { 'eafix.io/run': runId, 'eafix.io/purpose': 'pre-deploy' },
      change: await changeMeta(deps, origin, input.reason),
    });
    const done = await deps.cluster.waitForBackup(name, {
      timeoutMs: deps.deploySettings.backupTimeoutSeconds * 1000,
      signal,
    });
    if (!done.succeeded)
      throw new AppError(
        'backup_failed',
        `Backup ${name} ended ${done.phase}${done.failureReason ? `: ${done.failureReason}` : ''}; nothing was deployed.`,
      );
    return { summary: `backup ${name} Completed (${done.itemsDone ?? '?'} items)`, output: { backup: name } };
  },
};

export const quiesce: Step = {
  id: 'quiesce',
  title: 'Maintenance on, trading stopped (with --migrate)',
  timeoutMs: 30 * 60_000,
  run: async (ctx) => {
    if (!ctx.input.migrate) return { summary: 'skipped: no --migrate (trading keeps running)' };
    await cli(ctx, 'maintenance-on', ['maintenance', 'enable', `--message=Deploying ${ctx.input.version}`]);
    await cli(ctx, 'trading-stop', ['trading', 'stop', '--graceful']);
    return { summary: 'maintenance on; trading stopped (graceful)' };
  },
};

export const migrate: Step = {
  id: 'migrate',
  title: 'Database migrations in the new image, then database verify',
  timeoutMs: 60 * 60_000,
  run: async (ctx) => {
    if (!ctx.input.migrate) return { summary: 'skipped: no --migrate' };
    const { image } = fixed(ctx.input);
    const upgrade = await cli(ctx, 'migrate', [], { image, argv: ['alembic', 'upgrade', 'head'] });
    await cli(ctx, 'database-verify', ['database', 'verify']);
    return { summary: `alembic upgrade head in ${image} (Job ${upgrade.job}); database verified` };
  },
};

export const deployIdle: Step = {
  id: 'deploy-idle',
  title: 'Deploy the new version to the idle colour and wait until it is ready',
  timeoutMs: 20 * 60_000,
  run: async ({ input, deps, signal, ...origin }) => {
    const { colour, image, replicas } = fixed(input);
    const change = await changeMeta(deps, origin, input.reason);
    const set = await deps.cluster.setColourImage(input.environment, colour, { image, version: input.version }, change);
    await deps.cluster.scale(input.environment, colour, replicas, change);
    const progress = await deps.cluster.waitForRollout(input.environment, colour, {
      timeoutMs: deps.deploySettings.rolloutTimeoutSeconds * 1000,
      signal,
    });
    return {
      summary: `${set.deployment}: ${set.fromImage} → ${image}${set.changed ? '' : ' (already)'}; ready ${progress.ready}/${progress.desired}`,
    };
  },
};

export const smoke: Step = {
  id: 'smoke',
  title: 'Smoke tests against the new colour',
  timeoutMs: 30 * 60_000,
  run: async (ctx) => {
    const { colour } = fixed(ctx.input);
    // The runbook's own command: the colour is the smoke tests' environment (`--environment=green`).
    const outcome = await cli(ctx, 'smoke', ['test', 'smoke', `--environment=${colour}`]);
    return { summary: `smoke tests passed on ${colour} (Job ${outcome.job})`, output: outcome.result };
  },
};

export const switchTraffic: Step = {
  id: 'switch',
  title: 'Switch the gateway to the new colour',
  timeoutMs: 10 * 60_000,
  run: async ({ input, deps, signal, ...origin }) => {
    const { colour } = fixed(input);
    // Make before break: the colour has every pod ready before traffic moves.
    const ready = await deps.cluster.waitForRollout(input.environment, colour, { timeoutMs: 60_000, signal });
    if (ready.ready === 0)
      throw new AppError('deploy_colour_empty', `${colour} has no ready pods; the gateway was not switched.`);
    const result = await deps.cluster.switchTraffic(
      input.environment,
      colour,
      await changeMeta(deps, origin, input.reason),
    );
    // The monitor's window starts here; stored with the checkpoint, so a resumed monitor keeps it.
    return {
      summary: `gateway selector ${result.from} → ${colour}${result.changed ? '' : ' (already)'}`,
      output: { switchedAt: deps.now().toISOString() },
    };
  },
};

export const scaleOld: Step = {
  id: 'scale-old',
  title: 'Scale the old colour to 0',
  run: async ({ input, deps, ...origin }) => {
    const { from } = fixed(input);
    const result = await deps.cluster.scale(input.environment, from, 0, await changeMeta(deps, origin, input.reason));
    return { summary: `${result.deployment}: ${result.from} → 0${result.changed ? '' : ' (already)'}` };
  },
};

export const verify: Step = {
  id: 'verify',
  title: 'Post-deployment verification: health-check, test trading, dashboards, trading on, maintenance off',
  timeoutMs: 30 * 60_000,
  run: async (ctx) => {
    await cli(ctx, 'verify-health', ['health-check', '--comprehensive']);
    await cli(ctx, 'verify-trading-test', ['test', 'trading', `--environment=${ctx.input.environment}`]);
    await cli(ctx, 'verify-dashboards', ['dashboard', 'verify']);
    if (ctx.input.migrate) {
      await cli(ctx, 'verify-trading-start', ['trading', 'start']);
      await cli(ctx, 'verify-maintenance-off', ['maintenance', 'disable']);
    }
    return {
      summary: `health-check, trading tests and dashboards passed${ctx.input.migrate ? '; trading started; maintenance off' : ''}`,
    };
  },
};
