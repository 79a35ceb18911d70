/**
 * The runbook's "monitor for 5 minutes" after traffic moves: its KPIs read from Prometheus against their
 * thresholds, posted in the run's thread as one message edited in place. The window runs from the moment
 * the gateway switched (the switch step's checkpoint), by the injected clock, so a monitor resumed on
 * another worker carries on where it was instead of starting over. A critical breach switches the
 * gateway back to the previous colour at once and fails the run, saying so. Warnings are reported live
 * and do not stop the clock: the window runs to its end (a later critical breach still rolls back by
 * itself); then, if any reading warned, the run pauses and asks the thread Continue / Roll back, with
 * the old colour still scaled up. Undecided, the pause escalates into an incident and the run stays
 * paused (the old colour is not scaled down without a person's word).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../app-error.ts';
import { namespaceFor } from '../../cluster/cluster-targets.ts';
import type { ActionStep } from '../core/define-action.ts';
import { changeMeta } from '../core/change-meta.ts';
import { runThread } from '../core/platform-command-report.ts';
import { section } from '../core/reply.ts';
import { readKpis, type KpiReading } from '../monitoring/kpi-readings.ts';
import type { DeployInput } from './deploy-input.ts';
import { fixed } from './deploy-steps.ts';
import { pauseRun } from '../../jobs/run-definition.ts';
import { DEPLOY_PAUSE_EXPIRY_MS } from './deploy-pause.ts';

type Ctx = Parameters<ActionStep<DeployInput>['run']>[0];

const icon: Record<KpiReading['band'], string> = {
  ok: ':large_green_circle:',
  warning: ':large_orange_circle:',
  critical: ':red_circle:',
  unavailable: ':white_circle:',
};

function kpiLine(r: KpiReading): string {
  const value = r.value === undefined ? (r.reason ?? 'no data') : `${Number(r.value.toPrecision(4))} ${r.unit}`;
  return `${icon[r.band]} ${r.label}: ${value} (warning > ${r.thresholds.warning}, critical > ${r.thresholds.critical})`;
}

async function report(ctx: Ctx, text: string): Promise<void> {
  const thread = await runThread(ctx.deps.runs, ctx.runId);
  if (thread)
    await ctx.deps.notifier.send({ ...thread, key: `deploy:${ctx.runId}:monitor`, text, blocks: [section(text)] });
}

/** Reads once; the worst band and the lines. */
async function sample(ctx: Ctx): Promise<{ worst: KpiReading['band']; readings: KpiReading[] }> {
  const { deps, input } = ctx;
  const wanted = new Set(deps.deploySettings.monitorKpis);
  const specs = deps.monitoring.kpis.filter((k) => wanted.has(k.id));
  const vars = { environment: input.environment, namespace: namespaceFor(deps.topology, input.environment) };
  const readings = await readKpis(deps.monitoring.prometheus, specs, vars);
  const worst = readings.some((r) => r.band === 'critical')
    ? 'critical'
    : readings.some((r) => r.band === 'warning')
      ? 'warning'
      : 'ok';
  return { worst, readings };
}

/** The people's answer to the warnings: go on, or switch back (as a critical breach would). */
async function decided(ctx: Ctx, optionId: string) {
  const { deps, input } = ctx;
  const { colour, from } = fixed(input);
  const who = `<@${ctx.decision?.decidedBy ?? '?'}>`;
  if (optionId === 'continue') return { summary: `KPI warnings on ${colour}: ${who} chose to continue` };
  const back = await deps.cluster.switchTraffic(
    input.environment,
    from,
    await changeMeta(deps, ctx, `rollback after KPI warnings, decided by ${ctx.decision?.decidedBy ?? '?'}`),
  );
  await report(ctx, `:leftwards_arrow_with_hook: *Rolled back* (${who}) — gateway ${back.from} → ${from}.`);
  throw new AppError(
    'deploy_rolled_back',
    `${who} chose to roll back after KPI warnings: the gateway selects ${from} again.`,
  );
}

export const monitor: ActionStep<DeployInput> = {
  id: 'monitor',
  title: 'Monitor the KPIs (runbook: 5 minutes)',
  timeoutMs: 60 * 60_000,
  run: async (ctx) => {
    const { deps, input, signal } = ctx;
    const { colour, from } = fixed(input);
    if (ctx.decision) return decided(ctx, ctx.decision.optionId);
    const switched = (ctx.outputs.switch as { switchedAt?: string } | undefined)?.switchedAt;
    const start = switched ? Date.parse(switched) : deps.now().getTime();
    const until = start + deps.deploySettings.monitorSeconds * 1000;
    const intervalMs = deps.deploySettings.monitorIntervalSeconds * 1000;
    let samples = 0;
    let warnings = 0;
    for (;;) {
      const { worst, readings } = await sample(ctx);
      samples++;
      const left = Math.max(0, Math.ceil((until - deps.now().getTime()) / 1000));
      const lines = readings.map(kpiLine).join('\n');
      if (worst === 'critical') {
        const back = await deps.cluster.switchTraffic(
          input.environment,
          from,
          await changeMeta(deps, ctx, `automatic rollback: critical KPI breach after deploying ${input.version}`),
        );
        await report(
          ctx,
          `:rotating_light: *Critical KPI breach on ${colour} ${input.version}: rolled back automatically* — gateway ${back.from} → ${from}.\n${lines}`,
        );
        throw new AppError(
          'deploy_rolled_back',
          `A critical KPI breach during the monitor rolled the deploy back: the gateway selects ${from} again (${readings
            .filter((r) => r.band === 'critical')
            .map((r) => r.label)
            .join(', ')}).`,
        );
      }
      if (worst === 'warning') warnings++;
      const head =
        worst === 'warning'
          ? `:warning: *KPI warning on ${colour} ${input.version}* — watching; the monitor ends asking *Continue* or *Roll back* (to ${from}), or \`/eafix cancel ${ctx.runId}\` stops the deploy now, after which \`/eafix rollback --environment=${input.environment}\` returns to ${from}.`
          : `:eyes: Monitoring ${colour} ${input.version}`;
      await report(ctx, `${head} ${left > 0 ? `(${left} s left)` : '(done)'}\n${lines}`);
      if (deps.now().getTime() >= until) {
        if (warnings > 0)
          throw pauseRun({
            question: `:warning: *KPI warnings on ${colour} ${input.version}* in ${warnings} of ${samples} reading(s) during the ${deps.deploySettings.monitorSeconds} s monitor; ${from} still has its pods.\n${lines}\n*Continue* scales ${from} to 0 and verifies; *Roll back* switches the gateway back to ${from}.`,
            options: [
              { id: 'continue', label: 'Continue', style: 'primary' },
              { id: 'rollback', label: 'Roll back', style: 'danger' },
            ],
            expiresInMs: DEPLOY_PAUSE_EXPIRY_MS,
          });
        break;
      }
      await sleep(Math.min(intervalMs, Math.max(1, until - deps.now().getTime())), undefined, { signal });
    }
    return {
      summary: `KPIs held for ${deps.deploySettings.monitorSeconds} s on ${colour} (${samples} reading(s)${warnings ? `, ${warnings} with warnings` : ''})`,
      output: { from: new Date(start).toISOString(), until: new Date(until).toISOString(), samples },
    };
  },
};
