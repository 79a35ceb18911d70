/**
 * The steps of the Standard Configuration Change Process (runbook: Maintenance → Configuration
 * Changes), shared by `config change` and `config revert`. Each is idempotent: ConfigMap writes are
 * skipped when the object already holds the data, platform commands re-attach to their Job, and the
 * restart stamp is checkpointed before the restart.
 */
import { AppError } from '../../app-error.ts';
import type { ConfigMapSnapshot } from '../../cluster/cluster.ts';
import { namespaceFor } from '../../cluster/cluster-targets.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { changeMeta } from '../core/change-meta.ts';
import type { ActionStep } from '../core/define-action.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import { configDiff, diffText } from './config-diff.ts';
import {
  CONFIG_ANNOTATIONS,
  CONFIG_LABELS,
  PRODUCTION,
  STAGING,
  changeIdOf,
  dataDigest,
  keptConfigMapName,
  liveConfigMapName,
  needsRestart,
} from './config-versions.ts';

export interface ConfigRunInput {
  service: string;
  reason: string;
  /** The proposed data's digest from the approved plan. */
  approvedDigest?: string | undefined;
  /** Production only: the `config change` run that passed staging, written on the ConfigMap. */
  stagingRun?: string | undefined;
}

/** Which ConfigMap (in production's namespace) holds the configuration to apply. */
export type ConfigSource<Input> = (input: Input, deps: Pick<ActionDeps, 'topology'>) => string;

const ROLLOUT_TIMEOUT_MS = 10 * 60_000;

/** The proposed configuration, refused when it is gone or differs from what the approvers saw. */
export async function readProposed<Input extends ConfigRunInput>(
  deps: Pick<ActionDeps, 'cluster' | 'topology'>,
  input: Input,
  source: ConfigSource<Input>,
): Promise<ConfigMapSnapshot> {
  const name = source(input, deps);
  const proposed = await deps.cluster.getConfigMap(PRODUCTION, name);
  if (!proposed)
    throw new AppError('config_source_missing', `ConfigMap ${name} is not in ${PRODUCTION}'s namespace.`, {
      hints: [`Create it first: kubectl create configmap ${name} --from-file=<file> -n <namespace>`],
    });
  if (input.approvedDigest && dataDigest(proposed.data) !== input.approvedDigest)
    throw new AppError(
      'config_source_changed',
      `ConfigMap ${name} changed after the plan was approved; nothing more was applied. Ask for a new plan.`,
    );
  return proposed;
}

/** The ConfigMap diff (production's live version against the proposed one), shown first in the thread. */
export function diffStep<Input extends ConfigRunInput>(source: ConfigSource<Input>): ActionStep<Input> {
  return {
    id: 'diff',
    title: 'Compare with production (ConfigMap diff)',
    run: async ({ input, deps }) => {
      const proposed = await readProposed(deps, input, source);
      const live = liveConfigMapName(deps.topology, input.service);
      const current = await deps.cluster.getConfigMap(PRODUCTION, live);
      const diff = await configDiff(current?.data ?? {}, proposed.data);
      return {
        summary: `${live} ← ${proposed.name}, ${diff.changedKeys.length} key(s) changed:\n\`\`\`${diffText(diff)}\`\`\``,
      };
    },
  };
}

export function validateStep<Input extends ConfigRunInput>(source: ConfigSource<Input>): ActionStep<Input> {
  return {
    id: 'validate',
    title: 'Validate the configuration (eafix-cli config validate)',
    run: async (ctx) => {
      const { input, deps } = ctx;
      await readProposed(deps, input, source);
      const name = source(input, deps);
      const args = ['config', 'validate', `--service=${input.service}`, `--configmap=${name}`];
      await runPlatformCommand(ctx, { environment: PRODUCTION, step: 'config-validate', args, reason: input.reason });
      return { summary: `${name} is valid for ${input.service}` };
    },
  };
}

/** Writes the proposed data into `environment`'s live ConfigMap, marked with the change id. */
function applyTo<Input extends ConfigRunInput>(
  environment: string,
  id: string,
  title: string,
  source: ConfigSource<Input>,
): ActionStep<Input> {
  return {
    id,
    title,
    run: async ({ input, deps, runId, ...origin }) => {
      const proposed = await readProposed(deps, input, source);
      const live = liveConfigMapName(deps.topology, input.service);
      const changeId = changeIdOf(origin.approvalId, runId);
      const result = await deps.cluster.putConfigMap(
        environment,
        {
          name: live,
          data: proposed.data,
          labels: { [CONFIG_LABELS.of]: input.service },
          annotations: {
            [CONFIG_ANNOTATIONS.changeId]: changeId,
            [CONFIG_ANNOTATIONS.source]: proposed.name,
            ...(input.stagingRun ? { [CONFIG_ANNOTATIONS.stagingRun]: input.stagingRun } : {}),
          },
        },
        await changeMeta(deps, origin, input.reason),
      );
      return {
        summary: `${live} in ${environment}: ${result.changed ? 'applied' : 'already applied'} (change ${changeId})`,
      };
    },
  };
}

export const stageStep = <Input extends ConfigRunInput>(source: ConfigSource<Input>) =>
  applyTo(STAGING, 'stage', 'Apply to staging', source);

export function testStagingStep<Input extends ConfigRunInput>(): ActionStep<Input> {
  return {
    id: 'test-staging',
    title: 'Run the configuration tests in staging (eafix-cli test config)',
    run: async (ctx) => {
      const namespace = namespaceFor(ctx.deps.topology, STAGING);
      const args = ['test', 'config', `--namespace=${namespace}`];
      const result = await runPlatformCommand(ctx, {
        environment: STAGING,
        step: 'test-config',
        args,
        reason: ctx.input.reason,
      });
      return { summary: result.lastLines.find((l) => /passed/.test(l)) ?? 'configuration tests passed' };
    },
  };
}

/** Keeps production's current configuration as an immutable ConfigMap named by the change. */
export function keepPreviousStep<Input extends ConfigRunInput>(): ActionStep<Input> {
  return {
    id: 'keep-previous',
    title: 'Keep the current production configuration',
    run: async ({ input, deps, runId, ...origin }) => {
      const live = liveConfigMapName(deps.topology, input.service);
      const current = await deps.cluster.getConfigMap(PRODUCTION, live);
      if (!current) return { summary: `${live} did not exist yet: nothing to keep`, output: { kept: null } };
      const changeId = changeIdOf(origin.approvalId, runId);
      const name = keptConfigMapName(live, changeId);
      await deps.cluster.putConfigMap(
        PRODUCTION,
        {
          name,
          data: current.data,
          immutable: true,
          labels: { [CONFIG_LABELS.of]: input.service, [CONFIG_LABELS.changeId]: changeId },
          annotations: { [CONFIG_ANNOTATIONS.changeId]: changeId, [CONFIG_ANNOTATIONS.keptFrom]: live },
        },
        await changeMeta(deps, origin, input.reason),
      );
      return { summary: `previous version kept as ${name}`, output: { kept: name, restart: needsRestart(current) } };
    },
  };
}

export const applyProductionStep = <Input extends ConfigRunInput>(source: ConfigSource<Input>) =>
  applyTo(PRODUCTION, 'apply', 'Apply to production', source);

export function verifyStep<Input extends ConfigRunInput>(): ActionStep<Input> {
  return {
    id: 'verify',
    title: 'Verify the configuration applied (eafix-cli config verify)',
    run: async (ctx) => {
      const args = ['config', 'verify', `--service=${ctx.input.service}`];
      await runPlatformCommand(ctx, { environment: PRODUCTION, step: 'config-verify', args, reason: ctx.input.reason });
      return { summary: `${ctx.input.service} runs the new configuration` };
    },
  };
}

/** Rollout restart unless the live ConfigMap says the service reloads it (`eafix.io/config-reload: hot`). */
export function restartSteps<Input extends ConfigRunInput>(): ActionStep<Input>[] {
  const wanted = (outputs: Record<string, unknown>) =>
    (outputs['keep-previous'] as { restart?: boolean } | undefined)?.restart !== false;
  return [
    {
      // Checkpointed first, so a resumed run restarts with the same stamp and the pods roll only once.
      id: 'restart-stamp',
      title: 'Choose the restart stamp',
      run: async ({ deps }) => ({ output: { restartedAt: deps.now().toISOString() } }),
    },
    {
      id: 'restart',
      title: 'Rollout restart where the service needs it',
      timeoutMs: ROLLOUT_TIMEOUT_MS,
      run: async ({ input, deps, outputs, signal, ...origin }) => {
        if (!wanted(outputs)) return { summary: `${input.service} reloads its configuration: no restart` };
        const { restartedAt } = outputs['restart-stamp'] as { restartedAt: string };
        const meta = await changeMeta(deps, origin, input.reason);
        await deps.cluster.restart(PRODUCTION, input.service, meta, { restartedAt });
        const progress = await deps.cluster.waitForRollout(PRODUCTION, input.service, {
          timeoutMs: ROLLOUT_TIMEOUT_MS - 5_000,
          signal,
        });
        return { summary: `${progress.deployment}: ${progress.message}` };
      },
    },
  ];
}
