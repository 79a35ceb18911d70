import { z } from 'zod';
import { defineAction, type ActionStep } from '../core/define-action.ts';
import { reasonInput } from '../core/cluster-inputs.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import type { DrPolicy } from '../../config/dr-policy.ts';

const DEADLINE_S = 30 * 60;

interface SiteCommand {
  step: string;
  title: string;
  /** A runbook script or tool, whole; or the words after the policy's `eafix-cli`. */
  argv?: readonly string[];
  args?: readonly string[];
}

/** The runbook's five commands for Scenario 2, in order. */
function commands(site: DrPolicy['site']): SiteCommand[] {
  return [
    { step: 'activate', title: 'Activate the DR site', argv: ['activate-dr-site.sh'] },
    {
      step: 'restore',
      title: 'Restore the latest backup on the DR site',
      argv: ['restore-from-backup.sh', '--latest', `--site=${site.environment}`],
    },
    {
      step: 'dns',
      title: 'Point DNS at the DR site',
      argv: [
        'aws',
        'route53',
        'change-resource-record-sets',
        '--hosted-zone-id',
        site.hostedZoneId,
        '--change-batch',
        site.changeBatch,
      ],
    },
    { step: 'doctor', title: 'Verify all services', args: ['doctor', `--environment=${site.environment}`] },
    {
      step: 'trading',
      title: 'Enable trading on the DR site',
      args: ['trading', 'enable', `--site=${site.environment}`, '--confirm-dr'],
    },
  ];
}

const STEP_TITLES = commands({ environment: 'dr', hostedZoneId: 'Z0', changeBatch: '-' });

/** Step `index` of the scenario: its command, read from the policy when it runs, on the DR site's cluster. */
function siteStep(index: number): ActionStep<{ reason: string }> {
  const { step, title } = STEP_TITLES[index]!;
  return {
    id: step,
    title,
    timeoutMs: (DEADLINE_S + 120) * 1000,
    run: async (ctx) => {
      const site = ctx.deps.dr.policy.site;
      const command = commands(site)[index]!;
      const result = await runPlatformCommand(ctx, {
        environment: site.environment,
        step: command.step,
        ...(command.argv ? { argv: command.argv } : { args: command.args ?? [] }),
        reason: ctx.input.reason,
        timeoutSeconds: DEADLINE_S,
      });
      return { summary: `\`${result.argv.join(' ')}\` passed on ${site.environment}` };
    },
  };
}

/**
 * The runbook's DR scenario 2, Complete Data Centre Outage: every command runs as a platform Job on the
 * DR site's cluster only (policy `kubernetes.sites`), so an unreachable primary cannot block it. The
 * plan is made from the policy alone for the same reason.
 */
export const drActivateSite = defineAction({
  id: 'dr activate-site',
  kind: 'planned',
  chapter: 'Disaster Recovery',
  summary: 'Data centre outage: activate the DR site, restore, switch DNS, verify, enable trading there',
  input: z.object({ reason: reasonInput }),
  risk: 'destructive',
  permission: 'dr.activate-site',
  approval: 'two-person',
  examples: ['dr activate-site --reason "primary data centre down"'],
  plan: (_input, { deps }) => {
    const site = deps.dr.policy.site;
    const cli = deps.platformCli.command;
    return Promise.resolve([
      {
        description: `open an incident: "Data centre outage: DR site activated", severity critical`,
        change: { incident: true },
      },
      ...commands(site).map((c) => ({
        description: `run \`${(c.argv ?? [...cli, ...(c.args ?? [])]).join(' ')}\` on the ${site.environment} site's cluster`,
        change: { step: c.step, site: site.environment },
      })),
    ]);
  },
  target: () => 'dr:site',
  steps: [
    {
      id: 'incident',
      title: 'Open the incident',
      run: async ({ input, deps, requestedBy, requestId, runId }) => {
        const incident = await deps.incidents.open({
          title: 'Data centre outage: DR site activated',
          severity: 'critical',
          type: 'ops',
          systems: [],
          description: `${input.reason} (run ${runId})`,
          requestedBy,
          requestId,
        });
        return { summary: `incident ${incident.id} opened`, output: incident };
      },
    },
    siteStep(0),
    siteStep(1),
    siteStep(2),
    siteStep(3),
    siteStep(4),
  ],
});
