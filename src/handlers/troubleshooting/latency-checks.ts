import type { ActionContext } from '../core/define-action.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import { namespaceOf, prometheusOf, remedyReason, verdictOf, type DiagnosisCheck, type Remedy } from './diagnosis.ts';

export interface LatencyInput {
  environment: string;
  service?: string | undefined;
}

// The runbook's API response time thresholds (Monitoring and Alerting): warning > 200 ms, critical > 500 ms.
const WARN_SECONDS = 0.2;
const FAIL_SECONDS = 0.5;
// Cache hit rate: under 90% warns, under 80% fails (a cold or thrashing cache).
const CACHE_WARN = 0.9;
const CACHE_FAIL = 0.8;

const throttleAdvice =
  'throttle requests: `kubectl patch deployment eafix-gateway` with env `RATE_LIMIT=1000` (Troubleshooting Guide)';
const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`;
const scope = (ctx: ActionContext, input: LatencyInput) =>
  `namespace="${namespaceOf(ctx, input.environment)}"${input.service ? `,service="${input.service}"` : ''}`;

export const latencyQueries = {
  p95: (labels: string) =>
    `histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{${labels}}[5m])) by (le))`,
  slowest: (labels: string) =>
    `topk(3, sum by (service) (rate(http_request_duration_seconds_sum{${labels}}[5m])) / sum by (service) (rate(http_request_duration_seconds_count{${labels}}[5m])))`,
  cacheHitRate: (namespace: string) => `min(redis_cache_hit_rate{namespace="${namespace}"})`,
};

/** Scale the slow service up by half again (at least one), within the topology's bounds. */
async function scaleRemedy(ctx: ActionContext, environment: string, service: string, why: string): Promise<Remedy[]> {
  const target = ctx.deps.topology.services.find((s) => s.name === service);
  if (!target) return [];
  const current = (await ctx.deps.cluster.status(environment)).find((d) => d.name === target.deployment)?.desired;
  if (current === undefined) return [];
  const replicas = Math.min(target.replicas.max, current + Math.max(1, Math.ceil(current / 2)));
  if (replicas <= current) return [];
  return [
    {
      label: `Scale ${service} to ${replicas}`,
      command: `scale ${service} ${replicas} --environment=${environment} --reason ${remedyReason('diagnose latency', why)}`,
    },
  ];
}

const p95: DiagnosisCheck<LatencyInput> = {
  name: 'p95 latency',
  run: async (input, ctx) => {
    const value = await prometheusOf(ctx).instant(latencyQueries.p95(scope(ctx, input)));
    if (value === undefined || !Number.isFinite(value))
      return { verdict: 'warn', evidence: 'no latency data in Prometheus (http_request_duration_seconds)' };
    const verdict = verdictOf(value, WARN_SECONDS, FAIL_SECONDS);
    const evidence = `${ms(value)} (warning over ${ms(WARN_SECONDS)}, critical over ${ms(FAIL_SECONDS)})`;
    if (verdict === 'ok') return { verdict, evidence };
    // Request throttling (the gateway's RATE_LIMIT) has no action yet: the runbook's command is shown.
    if (!input.service) return { verdict, evidence, advice: throttleAdvice };
    const remedies = await scaleRemedy(ctx, input.environment, input.service, `p95 ${ms(value)}`);
    return { verdict, evidence, remedies, advice: throttleAdvice };
  },
};

const slowest: DiagnosisCheck<LatencyInput> = {
  name: 'Slowest endpoints',
  run: async (input, ctx) => {
    const series = (await prometheusOf(ctx).series(latencyQueries.slowest(scope(ctx, input)))).filter((s) =>
      Number.isFinite(s.value),
    );
    if (series.length === 0) return { verdict: 'warn', evidence: 'no request timings in Prometheus' };
    series.sort((a, b) => b.value - a.value);
    const top = series[0]!;
    const verdict = verdictOf(top.value, WARN_SECONDS, FAIL_SECONDS);
    const evidence = series.map((s) => `${s.labels.service ?? '?'} ${ms(s.value)} mean`).join(', ');
    const service = top.labels.service;
    if (verdict === 'ok' || !service) return { verdict, evidence };
    const remedies = await scaleRemedy(ctx, input.environment, service, `${service} mean ${ms(top.value)}`);
    return { verdict, evidence, remedies };
  },
};

/** `eafix-cli database performance` as a Job; its JSON result carries the slow-query count and p95. */
const database: DiagnosisCheck<LatencyInput> = {
  name: 'Database performance',
  run: async (input, ctx) => {
    const outcome = await runPlatformCommand(
      { requestId: ctx.requestId, requestedBy: ctx.invoker.userId, deps: ctx.deps },
      {
        environment: input.environment,
        step: 'diagnose-db-performance',
        args: ['database', 'performance'],
        reason: 'diagnose latency: database performance',
        allowFailure: true,
        report: false,
      },
    );
    const last = outcome.lastLines.at(-1) ?? '';
    if (!outcome.succeeded)
      return {
        verdict: 'fail',
        evidence: `\`${outcome.argv.join(' ')}\` failed (exit ${outcome.exitCode ?? '?'}): ${last.slice(0, 200)}`,
      };
    const slowQueries = Number(outcome.result?.slowQueries ?? 0);
    const p95Ms = Number(outcome.result?.p95Ms ?? 0);
    const verdict = slowQueries > 10 || p95Ms > 500 ? 'fail' : slowQueries > 0 || p95Ms > 200 ? 'warn' : 'ok';
    return {
      verdict,
      evidence: `${slowQueries} slow quer${slowQueries === 1 ? 'y' : 'ies'}, query p95 ${p95Ms} ms (Job ${outcome.job})`,
      ...(verdict === 'ok'
        ? {}
        : {
            remedies: [
              {
                label: 'Optimize database queries',
                command: `database optimize --environment=${input.environment} --reason ${remedyReason('diagnose latency', `${slowQueries} slow queries`)}`,
              },
            ],
          }),
    };
  },
};

const cache: DiagnosisCheck<LatencyInput> = {
  name: 'Cache hit rate',
  run: async (input, ctx) => {
    const value = await prometheusOf(ctx).instant(latencyQueries.cacheHitRate(namespaceOf(ctx, input.environment)));
    if (value === undefined || !Number.isFinite(value))
      return { verdict: 'warn', evidence: 'no cache data in Prometheus (redis_cache_hit_rate)' };
    const verdict = value < CACHE_FAIL ? 'fail' : value < CACHE_WARN ? 'warn' : 'ok';
    return {
      verdict,
      evidence: `${(value * 100).toFixed(1)}% (warning under ${CACHE_WARN * 100}%, critical under ${CACHE_FAIL * 100}%)`,
      ...(verdict === 'ok'
        ? {}
        : {
            remedies: [
              {
                label: 'Clear the slow_query_* cache',
                command: `cache clear --pattern=slow_query_* --environment=${input.environment} --reason ${remedyReason('diagnose latency', 'cache hit rate low')}`,
              },
            ],
          }),
    };
  },
};

/** The runbook's High API Latency diagnosis steps, in its order. */
export const latencyChecks = [p95, slowest, database, cache] as const;
