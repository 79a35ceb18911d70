/**
 * A deploy step that fails pauses the run (it does not just stop): the thread shows the failure and the
 * state production is in, with Retry step / Roll back / Abort, leave as is. Roll back is the safe
 * inverse of what this run did, make before break: the previous colour is ready before the gateway
 * moves back to it; the idle colour gets its previous image and replicas back; trading and
 * maintenance are restored only if this run changed them. Each part is idempotent (a worker dying in
 * it repeats it harmlessly). The monitor's automatic rollback (a critical breach) does not pause.
 */
import type { RunDecision, StepFailureContext } from '../../jobs/run-definition.ts';
import type { FailureResolution, PauseRequest } from '../../jobs/run-definition.ts';
import { versionOfImages } from './colours.ts';
import { changeMeta } from '../core/change-meta.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { describeDeployFailure } from './deploy-failure.ts';
import type { DeployInput } from './deploy-input.ts';

type Context = StepFailureContext<ActionDeps, DeployInput>;

/** How long the people in the thread have before an undecided pause escalates into an incident. */
export const DEPLOY_PAUSE_EXPIRY_MS = 30 * 60_000;

export const failureOptions = [
  { id: 'retry', label: 'Retry step', style: 'primary' as const },
  { id: 'rollback', label: 'Roll back', style: 'danger' as const },
  { id: 'abort', label: 'Abort, leave as is' },
];

export async function askOnDeployFailure(context: Context): Promise<PauseRequest | undefined> {
  // A critical breach already switched back by itself: nothing to decide.
  if (context.stepId === 'monitor') return undefined;
  const state = await describeDeployFailure(context);
  return {
    question: `:x: *${context.stepId}* failed: ${context.error}\n${state}\n*Retry step* runs it again; *Roll back* undoes what this run did; *Abort, leave as is* stops here.`,
    options: failureOptions,
    expiresInMs: DEPLOY_PAUSE_EXPIRY_MS,
  };
}

export async function resolveDeployFailure(context: Context & { decision: RunDecision }): Promise<FailureResolution> {
  const who = `<@${context.decision.decidedBy}>`;
  switch (context.decision.optionId) {
    case 'retry':
      return { then: 'retry' };
    case 'rollback': {
      const done = await rollBackDeploy(context);
      return {
        then: 'fail',
        error: `${context.error}\n:leftwards_arrow_with_hook: Rolled back (${who}): ${done.join('; ')}.`,
      };
    }
    default:
      return { then: 'fail', error: `${context.error}\n:octagonal_sign: Aborted by ${who}, left as is.` };
  }
}

/** True when this run got as far as `step` (completed it, or failed in it). */
const reached = (context: Context, step: string) => context.completedSteps.has(step) || context.stepId === step;

/** The safe inverse of what the run did so far; returns what it did, for the reply. */
export async function rollBackDeploy(context: Context): Promise<string[]> {
  const { input, deps, signal } = context;
  const env = input.environment;
  const { colour, from } = input;
  const done: string[] = [];
  if (!colour || !from) return ['nothing to undo (the run had no approved plan)'];
  const change = await changeMeta(deps, context, `roll back deploy ${input.version} (run ${context.runId})`);
  const live = await deps.cluster.liveColour(env, { fresh: true });
  if (live.colour === colour) {
    // Make before break: the previous colour has ready pods before traffic returns to it.
    if (reached(context, 'scale-old')) {
      const replicas = Math.max(input.replicas ?? 1, deps.topology.colours[from].replicas.default, 1);
      const scaled = await deps.cluster.scale(env, from, replicas, change);
      done.push(`${scaled.deployment} scaled ${scaled.from} → ${scaled.to}`);
    }
    const ready = await deps.cluster.waitForRollout(env, from, {
      timeoutMs: deps.deploySettings.rolloutTimeoutSeconds * 1000,
      signal,
    });
    const back = await deps.cluster.switchTraffic(env, from, change);
    done.push(`gateway ${back.from} → ${from} (${ready.ready} ready pods)`);
  }
  if (reached(context, 'deploy-idle') && input.idleBefore) {
    const before = input.idleBefore;
    const set = await deps.cluster.setColourImage(
      env,
      colour,
      { image: before.image, version: versionOfImages([before.image]) ?? 'previous' },
      change,
    );
    const scaled = await deps.cluster.scale(env, colour, before.replicas, change);
    done.push(`${set.deployment} back to ${before.image}, ${scaled.to} replicas`);
  }
  if (input.migrate && reached(context, 'quiesce')) {
    const cli = (step: string, args: string[]) =>
      runPlatformCommand(context, { environment: env, step, args, reason: input.reason });
    await cli('rollback-trading-start', ['trading', 'start']);
    await cli('rollback-maintenance-off', ['maintenance', 'disable']);
    done.push('trading started; maintenance off (this run had changed them)');
  }
  return done.length ? done : ['nothing to undo: production was not changed'];
}
