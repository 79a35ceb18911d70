import { z } from 'zod';
import { durationSchema } from './incident-policy.ts';
import { checkCron, timezoneSchema } from './schedule-fields.ts';
import { digestKinds, reportsPolicySchema } from './reports-policy.ts';

/** What a digest can show, in the order it shows them. */
export const digestSections = [
  'health',
  'deploys',
  'platform',
  'kpis',
  'incidents',
  'approvals',
  'runs',
  'backups',
] as const;
export type DigestSection = (typeof digestSections)[number];

/** The runbook's KPIs (Monitoring and Alerting). Every one of them is "lower is better". */
export const kpiIds = [
  'api_response_time_ms',
  'error_rate_percent',
  'cpu_usage_percent',
  'memory_usage_percent',
  'disk_usage_percent',
  'signal_generation_latency_ms',
  'order_execution_time_ms',
  'data_feed_latency_ms',
  'risk_check_time_ms',
] as const;
export type KnownKpiId = (typeof kpiIds)[number];

interface KpiDefault {
  label: string;
  unit: 'ms' | '%';
  query: string;
  target: number;
  warning: number;
  critical: number;
}

/**
 * The runbook's table: target "< t", warning "> w", critical "> c". The queries match the sandbox's
 * Prometheus emulator (`defaultKpiQueries`), so the sandbox answers exactly what the bot asks.
 */
export const runbookKpis: Readonly<Record<KnownKpiId, KpiDefault>> = {
  api_response_time_ms: {
    label: 'API response time',
    unit: 'ms',
    target: 100,
    warning: 200,
    critical: 500,
    query: 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le)) * 1000',
  },
  error_rate_percent: {
    label: 'Error rate',
    unit: '%',
    target: 0.1,
    warning: 1,
    critical: 5,
    query: '100 * sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
  },
  cpu_usage_percent: {
    label: 'CPU usage',
    unit: '%',
    target: 70,
    warning: 80,
    critical: 90,
    query: '100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m])))',
  },
  memory_usage_percent: {
    label: 'Memory usage',
    unit: '%',
    target: 80,
    warning: 85,
    critical: 95,
    query: '100 * (1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes))',
  },
  disk_usage_percent: {
    label: 'Disk usage',
    unit: '%',
    target: 80,
    warning: 85,
    critical: 95,
    query:
      'max(100 * (1 - node_filesystem_avail_bytes{mountpoint="/",fstype!="tmpfs"} / node_filesystem_size_bytes{mountpoint="/",fstype!="tmpfs"}))',
  },
  signal_generation_latency_ms: {
    label: 'Signal generation latency',
    unit: 'ms',
    target: 50,
    warning: 100,
    critical: 200,
    query: 'histogram_quantile(0.95, sum(rate(eafix_signal_generation_duration_seconds_bucket[5m])) by (le)) * 1000',
  },
  order_execution_time_ms: {
    label: 'Order execution time',
    unit: 'ms',
    target: 500,
    warning: 1000,
    critical: 2000,
    query: 'histogram_quantile(0.95, sum(rate(eafix_order_execution_duration_seconds_bucket[5m])) by (le)) * 1000',
  },
  data_feed_latency_ms: {
    label: 'Data feed latency',
    unit: 'ms',
    target: 10,
    warning: 50,
    critical: 100,
    query: 'histogram_quantile(0.95, sum(rate(eafix_data_feed_latency_seconds_bucket[5m])) by (le)) * 1000',
  },
  risk_check_time_ms: {
    label: 'Risk check time',
    unit: 'ms',
    target: 100,
    warning: 200,
    critical: 500,
    query: 'histogram_quantile(0.95, sum(rate(eafix_risk_check_duration_seconds_bucket[5m])) by (le)) * 1000',
  },
};

const kpiOverride = z.object({
  label: z.string().min(1).max(60).optional(),
  unit: z.string().max(10).optional(),
  /** PromQL; `{environment}` and `{namespace}` are filled in for the environment asked about. */
  query: z.string().min(1).optional(),
  target: z.number().optional(),
  warning: z.number().optional(),
  critical: z.number().optional(),
});

export interface KpiSpec {
  id: string;
  label: string;
  unit: string;
  query: string;
  target: number;
  warning: number;
  critical: number;
}

const kpisSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a snake_case KPI id'), kpiOverride)
  .default({})
  .transform((overrides, ctx): KpiSpec[] => {
    const ids = [...kpiIds, ...Object.keys(overrides).filter((id) => !(kpiIds as readonly string[]).includes(id))];
    const specs: KpiSpec[] = [];
    for (const id of ids) {
      const merged = { ...(runbookKpis as Record<string, KpiDefault | undefined>)[id], ...overrides[id] };
      const { label, unit, query, target, warning, critical } = merged;
      if (
        label === undefined ||
        unit === undefined ||
        query === undefined ||
        target === undefined ||
        warning === undefined ||
        critical === undefined
      ) {
        ctx.addIssue({
          code: 'custom',
          path: [id],
          message: 'a KPI the runbook does not define needs label, unit, query, target, warning and critical',
        });
        continue;
      }
      if (!(target <= warning && warning <= critical)) {
        ctx.addIssue({
          code: 'custom',
          path: [id],
          message: `thresholds must satisfy target <= warning <= critical (got ${target}, ${warning}, ${critical})`,
        });
        continue;
      }
      specs.push({ id, label, unit, query, target, warning, critical });
    }
    return specs;
  });

const digestSchema = z
  .object({
    /** What people type: `/eafix digest daily`. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a lowercase name like daily or shift-handover'),
    /** The status digest (default) or a recurring review: security-checklist, performance-review, capacity-review. */
    kind: z.enum(digestKinds).default('status'),
    /** Five fields (minute precision) or six (seconds first), as BullMQ job schedulers take them. */
    cron: z.string().min(9),
    timezone: timezoneSchema,
    channel: z
      .string()
      .regex(
        /^#?[a-z0-9][a-z0-9_-]{0,79}$|^[CG][A-Z0-9]{2,}$/,
        'must be a channel name like eafix-ops or an id like C0123',
      )
      .transform((v) => v.replace(/^#/, '')),
    environment: z.string().default('production'),
    sections: z
      .array(z.enum(digestSections))
      .min(1)
      .default([...digestSections]),
    /** A schedule kept in the file but not run (the sandbox turns its short one on). */
    enabled: z.boolean().default(true),
  })
  .superRefine(checkCron);

export const digestsSchema = z
  .array(digestSchema)
  .default([])
  .superRefine((digests, ctx) => {
    const seen = new Set<string>();
    digests.forEach((d, i) => {
      if (seen.has(d.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `digest "${d.name}" is declared twice` });
      seen.add(d.name);
    });
  });

export const monitoringSchema = z
  .object({
    prometheus: z
      .object({
        /** The Prometheus HTTP API base URL; the PROMETHEUS_URL environment variable overrides it. */
        url: z.url({ protocol: /^https?$/ }).optional(),
        /** Bound on each query, so a sick Prometheus never holds up a digest. */
        timeout: durationSchema.prefault('5s'),
      })
      .prefault({}),
    kpis: kpisSchema,
    /** Backup freshness: a query answering the age of the newest good backup, in seconds. */
    backups: z
      .object({
        query: z.string().min(1),
        warnAfter: durationSchema.prefault('26h'),
        criticalAfter: durationSchema.prefault('48h'),
      })
      .optional(),
  })
  .prefault({});

/** The two policy sections this feature adds, spread into policySchema. */
export const monitoringPolicySections = {
  digests: digestsSchema,
  monitoring: monitoringSchema,
  reports: reportsPolicySchema,
};

export type DigestSpec = z.infer<typeof digestSchema>;
export type MonitoringPolicy = z.infer<typeof monitoringSchema>;
export type BackupPolicy = NonNullable<MonitoringPolicy['backups']>;
