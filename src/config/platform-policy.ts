import { z } from 'zod';

/** A Kubernetes quantity map (`cpu: 100m`, `memory: 256Mi`). */
const quantities = z.record(z.string().regex(/^[a-z][a-z0-9./-]*$/), z.string().regex(/^[0-9.]+[A-Za-z]{0,3}$/));

/**
 * How the runbook's platform commands (`eafix-cli …`, `alembic upgrade head`, its scripts) run: as
 * batch/v1 Jobs from this toolbox image in the environment's namespace. Defaults let a policy without
 * the section work; a real deployment names its own image and service account.
 */
export const platformCliSchema = z
  .object({
    image: z.string().min(1).default('registry.eafix.local/eafix/eafix-toolbox:latest'),
    /** The argv prefix every platform command starts with (the runbook's `eafix-cli`). */
    command: z.array(z.string().min(1)).min(1).default(['eafix-cli']),
    /** The Jobs' pods run as this service account (the platform's own credentials, not the bot's). */
    serviceAccount: z.string().min(1).optional(),
    /** Kubernetes kills a command after this long (`activeDeadlineSeconds`). */
    timeoutSeconds: z
      .number()
      .int()
      .min(10)
      .max(24 * 3600)
      .default(600),
    /** How long a finished Job and its pod stay for inspection (`ttlSecondsAfterFinished`). */
    ttlSecondsAfterFinished: z.number().int().min(0).default(3600),
    resources: z
      .object({ requests: quantities.optional(), limits: quantities.optional() })
      .default({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } }),
  })
  .prefault({});

/**
 * Where the bot reads the platform's own state (never its bookkeeping): instant PromQL queries, with
 * `{namespace}` and `{environment}` filled in, answering 1 (on) or 0 (off).
 */
export const platformMetricsSchema = z
  .object({
    tradingEnabled: z.string().min(1).default('eafix_trading_enabled{namespace="{namespace}"}'),
    maintenanceMode: z.string().min(1).default('eafix_maintenance_mode{namespace="{namespace}"}'),
  })
  .prefault({});

/** The Production Deployment Process's timings (runbook: wait ≤ 300 s for the rollout, monitor 5 minutes). */
export const deployPolicySchema = z
  .object({
    rolloutTimeoutSeconds: z.number().int().min(10).default(300),
    /** How long the KPIs are watched after traffic moves, from the moment it moved. */
    monitorSeconds: z.number().int().min(1).default(300),
    monitorIntervalSeconds: z.number().min(0.05).default(15),
    backupTimeoutSeconds: z.number().int().min(10).default(1800),
    /** KPIs watched during the monitor (the runbook's): ids from `monitoring.kpis`. */
    monitorKpis: z
      .array(z.string())
      .default([
        'error_rate_percent',
        'api_response_time_ms',
        'signal_generation_latency_ms',
        'order_execution_time_ms',
      ]),
  })
  .prefault({});

export const platformPolicySchema = z
  .object({ cli: platformCliSchema, metrics: platformMetricsSchema, deploy: deployPolicySchema })
  .prefault({});

export type PlatformCliPolicy = z.infer<typeof platformCliSchema>;
export type PlatformMetricsPolicy = z.infer<typeof platformMetricsSchema>;
export type DeployPolicy = z.infer<typeof deployPolicySchema>;
