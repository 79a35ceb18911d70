import { z } from 'zod';
import { defineAction, type ApprovalMode, type ResumableAction } from '../core/define-action.ts';
import { environmentInput, reasonInput } from '../core/cluster-inputs.ts';
import { runPlatformCommand } from '../core/platform-command.ts';

/** A value that becomes one argv word: no spaces, quotes or shell syntax (argv is never a shell string anyway). */
export const argWord = (what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_*.:-]{1,100}$/, `must be a ${what}: letters, digits and _ * . : - only`)
    .describe(what);

/** Environment and reason, plus the action's own options (read by `args`). */
export type RemedyInput = { environment: string; reason: string } & Record<string, unknown>;

interface RemedySpec {
  id: string;
  summary: string;
  permission: string;
  risk: 'change' | 'destructive';
  approval: ApprovalMode;
  /** Options beside environment and reason. */
  options: z.ZodRawShape;
  positional?: readonly string[];
  examples: readonly string[];
  /** The words after `eafix-cli`, from validated input. */
  args: (input: RemedyInput) => string[];
}

/**
 * A runbook resolution that is one platform command (`eafix-cli cache clear --pattern=…`) as an action of
 * its own: its permission, approval and audit, a plan naming the exact command, and a run of one step that
 * runs it as a Job (re-attached, not repeated, if the worker dies meanwhile).
 */
export function platformRemedy(spec: RemedySpec): ResumableAction<RemedyInput> {
  const input = z.object({ ...spec.options, environment: environmentInput, reason: reasonInput });
  const words = spec.args;
  return defineAction<RemedyInput>({
    id: spec.id,
    kind: 'planned',
    chapter: 'Troubleshooting',
    summary: spec.summary,
    ...(spec.positional ? { positional: spec.positional } : {}),
    input: input as unknown as z.ZodType<RemedyInput>,
    risk: spec.risk,
    permission: spec.permission,
    approval: spec.approval,
    examples: spec.examples,
    plan: async (i, ctx) => [
      {
        description: `run \`${[...ctx.deps.platformCli.command, ...words(i)].join(' ')}\` as a Job in ${i.environment}`,
        change: { environment: i.environment, argv: [...ctx.deps.platformCli.command, ...words(i)] },
      },
    ],
    target: (i) => `env:${i.environment}:${spec.id}`,
    steps: [
      {
        id: 'command',
        title: `Run eafix-cli ${spec.id}`,
        run: async (ctx) => {
          const result = await runPlatformCommand(ctx, {
            environment: ctx.input.environment,
            step: 'command',
            args: words(ctx.input),
            reason: ctx.input.reason,
          });
          return { summary: `\`${result.argv.join(' ')}\` succeeded (Job ${result.job})`, output: result.result ?? {} };
        },
      },
    ],
  });
}
