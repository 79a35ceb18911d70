import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput } from '../core/cluster-inputs.ts';
import { changeMeta } from '../core/change-meta.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import { waitForPromotion } from './promotion.ts';

const PRIMARY = 'eafix-postgres';
const REPLICA = 'eafix-postgres-replica';
const SERVICE = 'eafix-postgres';
/** The runbook's dependent services, restarted to reconnect to the new primary. */
const DEPENDENTS = ['data-ingestor', 'portfolio-manager'] as const;
const ROLLOUT_MS = 10 * 60_000;

/**
 * The runbook's DR scenario 1, Primary Database Failure: detect (`database ping --timeout=5`), fence the
 * failed primary, promote the replica (POSTGRES_ROLE=primary), repoint the `eafix-postgres` Service to
 * `role: primary` only once the promoted pods are ready, `database verify --full-check`, restart the
 * services that hold connections. The incident is opened as soon as the failure is confirmed.
 */
export const drFailoverDatabase = defineAction({
  id: 'dr failover-database',
  kind: 'planned',
  chapter: 'Disaster Recovery',
  summary: 'Primary database failure: promote the replica, repoint eafix-postgres, verify, restart dependents',
  input: z.object({
    environment: environmentInput,
    reason: reasonInput,
    force: z.boolean().default(false).describe('fail over even though the primary answers ping'),
  }),
  risk: 'destructive',
  permission: 'dr.failover',
  approval: 'two-person',
  examples: ['dr failover-database --reason "primary disk failed"'],
  plan: async ({ environment, force }, { deps }) => {
    const [primary, replica] = await Promise.all([
      deps.cluster.getStatefulSet(environment, PRIMARY),
      deps.cluster.getStatefulSet(environment, REPLICA),
    ]);
    const role = replica.env.postgres?.POSTGRES_ROLE ?? 'replica';
    const cli = deps.platformCli.command.join(' ');
    return [
      {
        description: `detect: \`${cli} database ping --timeout=5\` must fail${force ? ' (--force: fail over even if it answers)' : ''}`,
        change: { detect: true, force },
      },
      { description: 'open an incident: "Primary database failure", severity critical', change: { incident: true } },
      {
        description: `scale statefulset ${PRIMARY} ${primary.desired}→0 (fence the failed primary: no split brain)`,
        change: { fence: PRIMARY, from: primary.desired },
      },
      {
        description: `patch statefulset ${REPLICA} env POSTGRES_ROLE ${role}→primary and wait until its ${replica.desired} pod(s) are ready as primary`,
        change: { promote: REPLICA },
      },
      {
        description: `patch service ${SERVICE} selector role→primary (only after the promotion is ready)`,
        change: { service: SERVICE, selector: { role: 'primary' } },
      },
      { description: `run \`${cli} database verify --full-check\``, change: { verify: true } },
      {
        description: `rollout restart deployment ${DEPENDENTS.map((d) => `eafix-${d}`).join(', ')}`,
        change: { restart: [...DEPENDENTS] },
      },
    ];
  },
  target: (input) => `database:${input.environment}`,
  // It fences the primary and restarts the services that use it: no database rollback, other failover or
  // change to one of those services runs meanwhile.
  covers: (input) => `service:${input.environment}/`,
  steps: [
    {
      id: 'detect',
      title: 'Detect the failure (database ping)',
      run: async (ctx) => {
        const ping = await runPlatformCommand(ctx, {
          environment: ctx.input.environment,
          step: 'detect',
          args: ['database', 'ping', '--timeout=5'],
          reason: ctx.input.reason,
          allowFailure: true,
        });
        if (ping.succeeded && !ctx.input.force)
          throw new AppError(
            'database_answers',
            `The primary database in ${ctx.input.environment} answers ping: no failover was made.`,
            { hints: ['Add --force to fail over anyway (planned switchover).'] },
          );
        return {
          summary: ping.succeeded ? 'the primary answers (--force)' : 'database failure detected',
          output: { detectedAt: ctx.deps.now().toISOString() },
        };
      },
    },
    {
      id: 'incident',
      title: 'Open the incident',
      run: async ({ input, deps, requestedBy, requestId, runId }) => {
        const incident = await deps.incidents.open({
          title: `Primary database failure in ${input.environment}`,
          severity: 'critical',
          type: 'ops',
          systems: [...DEPENDENTS].filter((s) => deps.incidents.systems.includes(s)),
          description: `${input.reason} (failover run ${runId})`,
          requestedBy,
          requestId,
        });
        return { summary: `incident ${incident.id} opened`, output: incident };
      },
    },
    {
      id: 'fence',
      title: 'Fence the failed primary',
      run: async ({ input, deps, ...origin }) => {
        const result = await deps.cluster.scaleStatefulSet(
          input.environment,
          PRIMARY,
          0,
          await changeMeta(deps, origin, input.reason),
        );
        return { summary: `${PRIMARY}: ${result.from} → 0${result.changed ? '' : ' (already)'}` };
      },
    },
    {
      id: 'promote',
      title: 'Promote the replica to primary',
      timeoutMs: ROLLOUT_MS + 60_000,
      run: async ({ input, deps, signal, ...origin }) => {
        const change = await changeMeta(deps, origin, input.reason);
        await deps.cluster.setStatefulSetEnv(
          input.environment,
          REPLICA,
          'postgres',
          { POSTGRES_ROLE: 'primary' },
          change,
        );
        const sts = await waitForPromotion(deps.cluster, input.environment, REPLICA, ROLLOUT_MS, signal);
        return { summary: `${REPLICA} promoted: ${sts.ready}/${sts.desired} pod(s) ready as primary` };
      },
    },
    {
      id: 'repoint',
      title: `Repoint service ${SERVICE} to the primary`,
      run: async ({ input, deps, ...origin }) => {
        const result = await deps.cluster.setServiceSelector(
          input.environment,
          SERVICE,
          { role: 'primary' },
          await changeMeta(deps, origin, input.reason),
        );
        return {
          summary: `${SERVICE} selects ${Object.entries(result.to)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')}`,
        };
      },
    },
    {
      id: 'verify',
      title: 'Verify the database (full check)',
      run: async (ctx) => {
        const result = await runPlatformCommand(ctx, {
          environment: ctx.input.environment,
          step: 'verify',
          args: ['database', 'verify', '--full-check'],
          reason: ctx.input.reason,
        });
        return { summary: `\`${result.argv.join(' ')}\` passed` };
      },
    },
    {
      id: 'restart-dependents',
      title: 'Restart data-ingestor and portfolio-manager',
      timeoutMs: ROLLOUT_MS + 60_000,
      run: async ({ input, deps, signal, outputs, ...origin }) => {
        const change = await changeMeta(deps, origin, input.reason);
        // One restartedAt per run (checkpointed by detection): a resumed step finds it on the template.
        const restartedAt = (outputs.detect as { detectedAt: string }).detectedAt;
        for (const service of DEPENDENTS)
          await deps.cluster.restart(input.environment, service, change, { restartedAt });
        await Promise.all(
          DEPENDENTS.map((s) => deps.cluster.waitForRollout(input.environment, s, { timeoutMs: ROLLOUT_MS, signal })),
        );
        return { summary: `${DEPENDENTS.join(' and ')} restarted` };
      },
    },
  ],
});
