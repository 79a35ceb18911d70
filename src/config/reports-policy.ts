import { z } from 'zod';
import { durationSchema } from './incident-policy.ts';

/** What a scheduled post is: the status digest, or one of the runbook's recurring reviews. */
export const digestKinds = ['status', 'security-checklist', 'performance-review', 'capacity-review'] as const;
export type DigestKind = (typeof digestKinds)[number];

/** A checklist item read from Prometheus: it fails when the value crosses its bound; no data is no pass. */
const prometheusCheck = (defaults: {
  query: string;
  failAbove?: number;
  failBelow?: number;
  critical: boolean;
  what: string;
}) =>
  z
    .object({
      query: z.string().min(1),
      /** What the value counts, shown after it: `3 pending security update(s)`. */
      what: z.string().default(defaults.what),
      failAbove: z.number().optional(),
      failBelow: z.number().optional(),
      /** A critical failure opens a security incident by itself (when autoIncident is on). */
      critical: z.boolean(),
    })
    .refine((c) => c.failAbove !== undefined || c.failBelow !== undefined, 'needs failAbove or failBelow')
    .prefault(defaults);

/**
 * The runbook's Daily Security Checklist. Failed logins: the platform's (its login failures counter, the one
 * the brute-force alert reads) joined with the bot's own refusals from the audit log; the access review: the
 * platform's and the audit log's; certificates from cert-manager through the cluster; security updates,
 * backup encryption and intrusion detection from series the platform exports to Prometheus.
 */
const securityChecklistSchema = z
  .object({
    /** Whose certificates are checked (a topology environment). */
    environment: z.string().default('production'),
    /** Open a security incident for each failing critical item, once per checklist. */
    autoIncident: z.boolean().default(true),
    /** Who automatic incidents are declared by (their reminders go to them); the bot itself when unset. */
    owner: z
      .string()
      .regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id like U0123ABCD')
      .optional(),
    /** Refusals (failed logins) in 24 h above this fail the item. */
    refusalsAbove: z.number().int().min(0).default(10),
    /** One person refused this often in 24 h is suspicious; so is any break-glass use or forged request. */
    suspiciousRefusalsPerUser: z.number().int().min(1).default(5),
    certificatesWithin: durationSchema.prefault('30d'),
    // The series are the platform's (README: Platform metrics for the security checklist).
    /** The runbook's `eafix-cli audit query "event_type=login_failed" --count --since=24h`. */
    failedLogins: prometheusCheck({
      query: 'sum(increase(failed_login_attempts[24h]))',
      failAbove: 100,
      critical: false,
      what: 'failed logins to the platform in 24 h',
    }),
    securityUpdates: prometheusCheck({
      query: 'sum(eafix_security_updates_pending)',
      failAbove: 0,
      critical: false,
      what: 'pending security update(s)',
    }),
    backupEncryption: prometheusCheck({
      query: 'min(eafix_backup_encrypted)',
      failBelow: 1,
      critical: true,
      what: 'newest backup encrypted in every location (1 = yes)',
    }),
    intrusionDetection: prometheusCheck({
      query: 'min(eafix_ids_up)',
      failBelow: 1,
      critical: true,
      what: 'every intrusion-detection sensor up and reporting (1 = yes)',
    }),
    /** The platform's own access review (runbook: `eafix-cli audit review --suspicious-only --since=24h`). */
    suspiciousAccess: prometheusCheck({
      query: 'sum(increase(eafix_suspicious_access_total[24h]))',
      failAbove: 0,
      critical: false,
      what: 'suspicious accesses the platform flagged in 24 h',
    }),
  })
  .prefault({});

/** Per-service resource series for the reviews' charts; `{namespace}` is the environment's. */
const performanceSchema = z
  .object({
    environment: z.string().default('production'),
    /** `{quantile}` is filled with 0.5, 0.95 and 0.99. */
    latencyQuantile: z
      .string()
      .default('histogram_quantile({quantile}, sum(rate(http_request_duration_seconds_bucket[5m])) by (le)) * 1000'),
    cpuByService: z
      .string()
      .default(
        'sum by (container) (rate(container_cpu_usage_seconds_total{namespace="{namespace}",container!=""}[5m]))',
      ),
    memoryByService: z
      .string()
      .default(
        'sum by (container) (container_memory_working_set_bytes{namespace="{namespace}",container!=""}) / 1048576',
      ),
    /** Database performance series (postgres_exporter): average, peak and trend over the week. */
    database: z
      .array(
        z.object({ label: z.string().min(1).max(60), unit: z.string().max(10).default(''), query: z.string().min(1) }),
      )
      .max(10)
      .default([
        {
          label: 'Transactions',
          unit: '/s',
          query: 'sum(rate(pg_stat_database_xact_commit[5m])) + sum(rate(pg_stat_database_xact_rollback[5m]))',
        },
        { label: 'Active connections', unit: '', query: 'sum(pg_stat_activity_count{state="active"})' },
      ]),
  })
  .prefault({});

/** The `reports` section: settings of the scheduled reviews (their schedules are `digests` of their kind). */
export const reportsPolicySchema = z
  .object({ securityChecklist: securityChecklistSchema, performance: performanceSchema })
  .prefault({});

export type ReportsPolicy = z.infer<typeof reportsPolicySchema>;
export type SecurityChecklistPolicy = ReportsPolicy['securityChecklist'];
export type PrometheusCheck = SecurityChecklistPolicy['securityUpdates'];
export type PerformancePolicy = ReportsPolicy['performance'];
