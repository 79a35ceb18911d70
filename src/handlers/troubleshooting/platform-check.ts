import type { PlatformCommandResult } from '../core/platform-command.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import { remedyReason, type DiagnosisCheck, type Finding, type Remedy } from './diagnosis.ts';

export interface EnvironmentInput {
  environment: string;
}

type Judgement = Omit<Finding, 'check'>;

/**
 * A check that runs one read-only platform command (`eafix-cli broker status --all`) as a Job and judges
 * its structured result; a command that fails or exits non-zero is a `fail` with its last line.
 */
export function platformCheck<Input extends EnvironmentInput>(spec: {
  name: string;
  /** Names the Job with the request id: one Job per check per request. */
  step: string;
  args: (input: Input) => string[];
  judge: (result: Record<string, unknown>, outcome: PlatformCommandResult, input: Input) => Judgement;
}): DiagnosisCheck<Input> {
  return {
    name: spec.name,
    run: async (input, ctx) => {
      const outcome = await runPlatformCommand(
        { requestId: ctx.requestId, requestedBy: ctx.invoker.userId, deps: ctx.deps },
        {
          environment: input.environment,
          step: spec.step,
          args: spec.args(input),
          reason: `diagnosis: ${spec.name}`,
          allowFailure: true,
          report: false,
        },
      );
      if (!outcome.succeeded || !outcome.result)
        return {
          verdict: 'fail',
          evidence: `\`${outcome.argv.join(' ')}\` ${outcome.succeeded ? 'gave no result' : `failed (exit ${outcome.exitCode ?? '?'})`}${outcome.lastLines.length ? `: ${outcome.lastLines.at(-1)!.slice(0, 200)}` : ''}`,
        };
      return spec.judge(outcome.result, outcome, input);
    },
  };
}

/** `restart <service>` as a remedy (two-person in production, like typing it). */
export const restartRemedy = (service: string, environment: string, playbook: string, why: string): Remedy => ({
  label: `Restart ${service}`,
  command: `restart ${service} --environment=${environment} --reason ${remedyReason(playbook, why)}`,
});

/** An array of objects from a command's JSON result (tolerates a missing or odd field). */
export const listOf = (value: unknown): Array<Record<string, unknown>> =>
  Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
