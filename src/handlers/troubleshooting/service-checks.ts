import type { ActionContext } from '../core/define-action.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import {
  namespaceOf,
  prometheusOf,
  remedyReason,
  verdictOf,
  worst,
  type DiagnosisCheck,
  type Remedy,
} from './diagnosis.ts';

export interface ServiceInput {
  service: string;
  environment: string;
}

// The runbook's KPI thresholds: CPU warning > 80%, critical > 90%; memory warning > 85%, critical > 95%.
const CPU = { warn: 80, fail: 90 };
const MEMORY = { warn: 85, fail: 95 };
const ERROR_LINE = /\b(ERROR|FATAL|CRITICAL|Exception|panic)\b/;
const RESTARTS_WARN = 3;

const restartRemedy = (input: ServiceInput, why: string): Remedy => ({
  label: `Restart ${input.service}`,
  command: `restart ${input.service} --environment=${input.environment} --reason ${remedyReason(`diagnose service ${input.service}`, why)}`,
});

async function scaleRemedy(ctx: ActionContext, input: ServiceInput, why: string): Promise<Remedy[]> {
  const target = ctx.deps.topology.services.find((s) => s.name === input.service);
  const current = (await ctx.deps.cluster.status(input.environment)).find(
    (d) => d.name === target?.deployment,
  )?.desired;
  if (!target || current === undefined) return [];
  const replicas = Math.min(target.replicas.max, Math.max(current + 1, target.replicas.default));
  if (replicas <= current) return [];
  return [
    {
      label: `Scale ${input.service} to ${replicas}`,
      command: `scale ${input.service} ${replicas} --environment=${input.environment} --reason ${remedyReason(`diagnose service ${input.service}`, why)}`,
    },
  ];
}

const pods: DiagnosisCheck<ServiceInput> = {
  name: 'Pods',
  run: async (input, ctx) => {
    const list = await ctx.deps.cluster.listPods(input.environment, input.service);
    if (list.length === 0)
      return {
        verdict: 'fail',
        evidence: `no pods for ${input.service}`,
        remedies: await scaleRemedy(ctx, input, 'no pods'),
      };
    const ready = list.filter((p) => p.ready).length;
    const restarts = list.reduce((n, p) => n + p.restarts, 0);
    const troubled = list.filter((p) => !p.ready || p.waitingReason || p.restarts > RESTARTS_WARN);
    const verdict = ready === 0 ? 'fail' : troubled.length > 0 ? 'warn' : 'ok';
    const detail = troubled
      .slice(0, 3)
      .map(
        (p) =>
          `${p.name} ${p.status}${p.lastTerminationReason ? ` (last exit ${p.lastTerminationReason})` : ''}, ${p.restarts} restart(s)`,
      );
    const evidence = `${ready}/${list.length} ready, ${restarts} restart(s)${detail.length ? `: ${detail.join('; ')}` : ''}`;
    return verdict === 'ok' ? { verdict, evidence } : { verdict, evidence, remedies: [restartRemedy(input, evidence)] };
  },
};

/** Error lines per pod in `kubectl logs` output (one `==> pod <==` header per pod). */
export function logErrors(text: string): { pods: number; podsWithErrors: number; errors: string[] } {
  let pods = 0;
  let podsWithErrors = 0;
  let current = 0;
  const errors: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('==> ')) {
      if (current > 0) podsWithErrors += 1;
      pods += 1;
      current = 0;
    } else if (ERROR_LINE.test(line)) {
      current += 1;
      errors.push(line);
    }
  }
  if (current > 0) podsWithErrors += 1;
  return { pods, podsWithErrors, errors };
}

const logs: DiagnosisCheck<ServiceInput> = {
  name: 'Recent logs',
  run: async (input, ctx) => {
    const result = await ctx.deps.cluster.podLogs(input.environment, input.service, {
      tailLines: 100,
      maxBytes: 256 * 1024,
    });
    const { pods, podsWithErrors, errors } = logErrors(result.text);
    // Errors in every pod: the service as a whole is failing; in some: a pod in a bad state.
    const verdict = podsWithErrors === 0 ? 'ok' : podsWithErrors >= pods ? 'fail' : 'warn';
    const shown = errors.slice(-3).map((l) => `\`${l.slice(0, 160).replace(/`/g, "'")}\``);
    return {
      verdict,
      evidence: `${errors.length} error line(s) in the last 100 lines, in ${podsWithErrors} of ${pods} pod(s)${shown.length ? `: ${shown.join(' ')}` : ''}`,
    };
  },
};

/** CPU and memory of the service's pods against their limits (cAdvisor and kube-state-metrics in Prometheus). */
const resources: DiagnosisCheck<ServiceInput> = {
  name: 'Resource usage',
  run: async (input, ctx) => {
    const target = ctx.deps.topology.services.find((s) => s.name === input.service);
    const matcher = `namespace="${namespaceOf(ctx, input.environment)}",pod=~"${target?.deployment ?? `eafix-${input.service}`}-.*"`;
    const prometheus = prometheusOf(ctx);
    const [cpu, memory] = await Promise.all([
      prometheus.instant(serviceResourceQueries.cpu(matcher)),
      prometheus.instant(serviceResourceQueries.memory(matcher)),
    ]);
    if (cpu === undefined && memory === undefined)
      return { verdict: 'warn', evidence: 'no CPU or memory data in Prometheus for its pods' };
    const verdicts = [
      cpu === undefined ? 'ok' : verdictOf(cpu, CPU.warn, CPU.fail),
      memory === undefined ? 'ok' : verdictOf(memory, MEMORY.warn, MEMORY.fail),
    ] as const;
    const verdict = worst([...verdicts]);
    const show = (v: number | undefined) => (v === undefined ? 'no data' : `${v.toFixed(0)}%`);
    const evidence = `busiest pod CPU ${show(cpu)} of its limit, memory ${show(memory)} of its limit`;
    if (verdict === 'ok') return { verdict, evidence };
    return { verdict, evidence, remedies: await scaleRemedy(ctx, input, `resource exhaustion: ${evidence}`) };
  },
};

export const serviceResourceQueries = {
  cpu: (m: string) =>
    `100 * max(sum by (pod) (rate(container_cpu_usage_seconds_total{${m},container!=""}[5m])) / sum by (pod) (kube_pod_container_resource_limits{${m},resource="cpu"}))`,
  memory: (m: string) =>
    `100 * max(sum by (pod) (container_memory_working_set_bytes{${m},container!=""}) / sum by (pod) (kube_pod_container_resource_limits{${m},resource="memory"}))`,
};

/** `eafix-cli dependencies check --service=<name>` as a Job. */
const dependencies: DiagnosisCheck<ServiceInput> = {
  name: 'Dependencies',
  run: async (input, ctx) => {
    const outcome = await runPlatformCommand(
      { requestId: ctx.requestId, requestedBy: ctx.invoker.userId, deps: ctx.deps },
      {
        environment: input.environment,
        step: 'diagnose-dependencies',
        args: ['dependencies', 'check', `--service=${input.service}`],
        reason: `diagnose service ${input.service}: dependencies`,
        allowFailure: true,
        report: false,
      },
    );
    const down = outcome.lastLines.filter((l) => /UNREACHABLE|FAILED|down/i.test(l));
    if (!outcome.succeeded || outcome.result?.ok === false)
      return {
        verdict: 'fail',
        evidence: `\`${outcome.argv.join(' ')}\` exit ${outcome.exitCode ?? '?'}${down.length ? `: ${down.join('; ').slice(0, 300)}` : ''}`,
        advice: `\`kubectl edit configmap eafix-${input.service}-config\` if a dependency is misconfigured`,
      };
    const degraded = Array.isArray(outcome.result?.degraded) ? (outcome.result.degraded as unknown[]).map(String) : [];
    if (degraded.length > 0)
      return { verdict: 'warn', evidence: `degraded: ${degraded.join(', ').slice(0, 300)} (Job ${outcome.job})` };
    return { verdict: 'ok', evidence: `all dependencies answer (Job ${outcome.job})` };
  },
};

/** The runbook's Service Not Responding diagnosis steps, in its order. */
export const serviceChecks = [pods, logs, resources, dependencies] as const;
