/**
 * Trading and maintenance switches act on the platform: the plan names the `eafix-cli` command and the
 * state the platform's metrics report now; the run executes the command as a Job, then asks the platform
 * (`eafix-cli status`) whether it took, and announces it with who asked and who approved.
 */
import { AppError } from '../../app-error.ts';
import { namespaceFor } from '../../cluster/cluster-targets.ts';
import type { PlanItem } from '../../permissions/approval-types.ts';
import type { ActionContext, ActionStep } from './define-action.ts';
import { runPlatformCommand } from './platform-command.ts';
import {
  maintenanceWord,
  platformStatusFromCli,
  platformStatusFromMetrics,
  tradingWord,
  type PlatformStatus,
  type Switch,
} from './platform-status.ts';
import { section } from './reply.ts';

export interface SwitchInput {
  environment: string;
  reason: string;
}

/** One platform switch command: which state, the argv after `eafix-cli`, and how to announce it. */
export interface SwitchSpec<Input extends SwitchInput> {
  what: 'trading' | 'maintenance';
  /** The state the command leaves the platform in. */
  want: Exclude<Switch, 'unknown'>;
  args: (input: Input) => string[];
  announce: (input: Input, requestedBy: string) => string;
}

const word = (what: 'trading' | 'maintenance', s: Switch) => (what === 'trading' ? tradingWord(s) : maintenanceWord(s));
const current = (status: PlatformStatus, what: 'trading' | 'maintenance') =>
  what === 'trading' ? status.trading : status.maintenance;

export async function planPlatformSwitch<Input extends SwitchInput>(
  spec: SwitchSpec<Input>,
  input: Input,
  { deps }: ActionContext,
): Promise<PlanItem[]> {
  const namespace = namespaceFor(deps.topology, input.environment);
  const now = await platformStatusFromMetrics(deps, input.environment);
  const argv = [...deps.platformCli.command, ...spec.args(input)];
  const from = word(spec.what, current(now, spec.what));
  const to = word(spec.what, spec.want);
  const already = from === to ? ' (the platform reports it already; the command is run anyway)' : '';
  return [
    {
      description: `set ${spec.what}: ${from} → ${to} in ${input.environment}${already}`,
      change: { environment: input.environment, what: spec.what, from, to },
    },
    {
      description: `run \`${argv.join(' ')}\` as a Job in ${namespace} (image ${deps.platformCli.image})`,
      change: { namespace, argv, image: deps.platformCli.image },
    },
    {
      description: `confirm with \`eafix-cli status\` that ${spec.what} is ${to}`,
      change: { confirm: `${spec.what}=${to}` },
    },
  ];
}

/** The run: the command as a Job, the platform's confirmation, the announcement. */
export function platformSwitchSteps<Input extends SwitchInput>(spec: SwitchSpec<Input>): ActionStep<Input>[] {
  const to = word(spec.what, spec.want);
  return [
    {
      id: 'command',
      title: `Run eafix-cli ${spec.what} command`,
      run: async (ctx) => {
        const outcome = await runPlatformCommand(ctx, {
          environment: ctx.input.environment,
          step: 'command',
          args: spec.args(ctx.input),
          reason: ctx.input.reason,
        });
        return { summary: `\`${outcome.argv.join(' ')}\` succeeded (Job ${outcome.job})`, output: outcome.result };
      },
    },
    {
      id: 'confirm',
      title: 'Confirm with the platform',
      run: async (ctx) => {
        const status = await platformStatusFromCli(ctx, ctx.input.environment, 'confirm');
        const now = word(spec.what, current(status, spec.what));
        if (now !== to)
          throw new AppError(
            'platform_disagrees',
            `The command succeeded but \`eafix-cli status\` reports ${spec.what} ${now} in ${ctx.input.environment}, not ${to}.`,
            { hints: [`Check with: /eafix ${spec.what} status --environment=${ctx.input.environment}`] },
          );
        return { summary: `${spec.what} is now ${to} (the platform's \`eafix-cli status\`)`, output: status };
      },
    },
    {
      id: 'announce',
      title: 'Announce',
      run: async ({ input, deps, runId, requestedBy, approvalId }) => {
        const approvers = approvalId ? ((await deps.approvals.get(approvalId))?.approvers ?? []) : [];
        const how = approvers.length ? ` — approved by ${approvers.map((a) => `<@${a}>`).join(', ')}` : '';
        const text = `${spec.announce(input, requestedBy)}${how}`;
        await deps.notifier.send({
          key: `announce:${runId}`,
          channel: deps.channels.ops,
          text,
          blocks: [section(text)],
        });
      },
    },
  ];
}
