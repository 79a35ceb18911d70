import { AppError } from '../../app-error.ts';
import { namespaceFor } from '../../cluster/cluster-targets.ts';
import { withTag } from '../../cluster/image-tag.ts';
import type { PlanItem } from '../../permissions/approval-types.ts';
import { defineAction } from '../core/define-action.ts';
import { idleColour, versionOfImages } from './colours.ts';
import { describeDeployFailure } from './deploy-failure.ts';
import { askOnDeployFailure, resolveDeployFailure } from './deploy-pause.ts';
import { confirmedPrerequisites, deployInput, PREREQUISITES } from './deploy-input.ts';
import { deployModal } from './deploy-modal.ts';
import { monitor } from './deploy-monitor.ts';
import {
  backup,
  deployIdle,
  migrate,
  preflight,
  quiesce,
  scaleOld,
  smoke,
  switchTraffic,
  verify,
} from './deploy-steps.ts';

/**
 * The runbook's Production Deployment Process as one approved, resumable run: pre-flight, backup,
 * (with --migrate) maintenance on, trading stopped and migrations in the new image, the new version on
 * the idle colour, smoke tests, the gateway switched once the colour is ready, five minutes of KPIs
 * (a critical breach switches back by itself), the old colour scaled to 0, and post-deployment checks.
 * The requester confirms the runbook's Prerequisites Checklist in a form (or `--checklist=all` in a
 * script); the confirmed items are recorded with the request, in its plan and its audit row.
 */
export const deploy = defineAction({
  id: 'deploy',
  kind: 'planned',
  chapter: 'Deployment',
  summary: 'Production Deployment Process: deploy a version to the idle colour, switch, monitor, verify',
  positional: ['version'],
  input: deployInput,
  risk: 'destructive',
  permission: 'deploy.run',
  approval: (input) => (input.environment === 'production' ? 'two-person' : 'none'),
  examples: [
    'deploy 2.5.0 --reason "release 2.5"',
    'deploy 2.5.0 --migrate --reason "release 2.5 with schema change"',
    'deploy 2.5.0 --environment=staging --checklist=all --reason "staging rehearsal"',
  ],
  // Without --checklist, a form with the Prerequisites Checklist to tick, prefilled from the command.
  form: async (input, { deps, invoker }) => {
    if (input.checklist !== undefined || !invoker.triggerId) return undefined;
    await deps.notifier.openModal(invoker.triggerId, deployModal(input, deps.topology, invoker.channelId));
    return { text: 'Opening the deploy form: tick the Prerequisites Checklist, check the fields, then submit.' };
  },
  plan: async (input, { deps }) => {
    const confirmed = confirmedPrerequisites(input.checklist);
    const [live, deployments] = await Promise.all([
      deps.cluster.liveColour(input.environment, { fresh: true }),
      deps.cluster.status(input.environment, { fresh: true }),
    ]);
    if (live.colour === 'unknown')
      throw new AppError(
        'live_colour_unknown',
        `The gateway in ${input.environment} selects no colour I know (${JSON.stringify(live.selector)}); fix it before deploying.`,
      );
    const colour = idleColour(live);
    const from = live.colour;
    const liveDeployment = deployments.find((d) => d.name === deps.topology.colours[from].deployment);
    const idleDeployment = deployments.find((d) => d.name === deps.topology.colours[colour].deployment);
    const base = idleDeployment?.images[0] ?? liveDeployment?.images[0];
    if (!base)
      throw new AppError(
        'no_image',
        `Neither colour in ${input.environment} has an image to take the repository from.`,
      );
    const image = withTag(base, input.version);
    const replicas = Math.max(liveDeployment?.desired ?? 0, deps.topology.colours[colour].replicas.default, 1);
    const ns = namespaceFor(deps.topology, input.environment);
    const cli = deps.platformCli.command.join(' ');
    const liveVersion = liveDeployment ? versionOfImages(liveDeployment.images) : undefined;
    const items: PlanItem[] = [
      {
        description: `prerequisites confirmed by the requester: ${confirmed.map((c) => PREREQUISITES[c]).join('; ')}`,
        change: { checklist: confirmed },
      },
      {
        description: `1. \`${cli} doctor --environment=${input.environment}\` and \`${cli} status --verbose\` as Jobs in ${ns}`,
        change: { step: 'preflight' },
      },
      {
        description: `2. Velero Backup of namespace ${ns}, waited for until Completed`,
        change: { step: 'backup', namespaces: [ns] },
      },
      {
        description: input.migrate
          ? `3. \`${cli} maintenance enable --message="Deploying ${input.version}"\`, then \`${cli} trading stop --graceful\``
          : '3. maintenance and trading untouched (no --migrate)',
        change: { step: 'quiesce', migrate: input.migrate },
      },
      {
        description: input.migrate
          ? `4. \`alembic upgrade head\` in ${image}, then \`${cli} database verify\``
          : '4. no migrations (no --migrate)',
        change: { step: 'migrate', image: input.migrate ? image : null },
      },
      {
        description: `5. set deployment ${deps.topology.colours[colour].deployment} (${colour}, idle) to ${image}, ${replicas} replicas, wait until ready (≤ ${deps.deploySettings.rolloutTimeoutSeconds} s)`,
        change: {
          step: 'deploy-idle',
          colour,
          image,
          replicas,
          ...(idleDeployment?.images[0]
            ? { before: { image: idleDeployment.images[0], replicas: idleDeployment.desired } }
            : {}),
        },
      },
      { description: `6. \`${cli} test smoke --environment=${colour}\``, change: { step: 'smoke' } },
      {
        description: `7. patch service ${deps.topology.gateway.service} selector ${deps.topology.gateway.selectorKey} ${from}→${colour} once ${colour} is ready`,
        change: { step: 'switch', from, to: colour },
      },
      {
        description: `8. monitor ${deps.deploySettings.monitorKpis.join(', ')} for ${deps.deploySettings.monitorSeconds} s; a critical breach switches back to ${from}${liveVersion ? ` (${liveVersion})` : ''}`,
        change: { step: 'monitor' },
      },
      {
        description: `9. scale deployment ${deps.topology.colours[from].deployment} (${from}) to 0`,
        change: { step: 'scale-old', colour: from },
      },
      {
        description: `10. \`${cli} health-check --comprehensive\`, \`${cli} test trading --environment=${input.environment}\`, \`${cli} dashboard verify\`${input.migrate ? `, \`${cli} trading start\`, \`${cli} maintenance disable\`` : ''}`,
        change: { step: 'verify' },
      },
    ];
    return items;
  },
  runInput: (input, plan) => {
    const at = (step: string) =>
      plan.map((p) => p.change as Record<string, unknown>).find((c) => c.step === step) ?? {};
    const idle = at('deploy-idle') as {
      colour?: 'blue' | 'green';
      image?: string;
      replicas?: number;
      before?: { image: string; replicas: number };
    };
    const sw = at('switch') as { from?: 'blue' | 'green' };
    return {
      ...input,
      colour: idle.colour,
      image: idle.image,
      replicas: idle.replicas,
      from: sw.from,
      idleBefore: idle.before,
    };
  },
  target: (input) => `env:${input.environment}`,
  steps: [preflight, backup, quiesce, migrate, deployIdle, smoke, switchTraffic, monitor, scaleOld, verify],
  describeFailure: (context) => describeDeployFailure(context),
  onStepFailed: (context) => askOnDeployFailure(context),
  resolveFailure: (context) => resolveDeployFailure(context),
});
