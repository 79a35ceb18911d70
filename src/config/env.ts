import { z } from 'zod';
import { ConfigError, formatIssues } from './format-issues.ts';
import { queueDashboardEnv, queueDashboardNeedsAuth } from './queue-dashboard-env.ts';
import { dataStoreEnv } from './data-store-env.ts';

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL (${protocols.join(' or ')})`,
  );

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Every environment variable the bot reads. Parsed once at start-up in main.ts. */
export const envSchema = z
  .object({
    SLACK_SIGNING_SECRET: z.string().min(8, 'must be the app signing secret from api.slack.com'),
    SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must be a bot token (xoxb-...)'),
    /** When set, the bot connects with Socket Mode instead of serving HTTP events. */
    SLACK_APP_TOKEN: z
      .string()
      .regex(/^xapp-/, 'must be an app-level token (xapp-...)')
      .optional(),
    SLACK_API_URL: url(['http:', 'https:']).default('https://slack.com/api/'),
    /** Every role serves /healthz, /readyz and /metrics here; web also /slack/events and /admin/queues. */
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: url(['postgres:', 'postgresql:']),
    /** Postgres schema for the bot's tables; lets several deployments or test runs share a database. */
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .default('eafix'),
    REDIS_URL: url(['redis:', 'rediss:']),
    /** Prefix for every Redis key and BullMQ queue, so runs and deployments never collide. */
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]+$/)
      .default('eafix'),
    EAFIX_CONFIG: z.string().min(1, 'must be the path of the YAML policy file'),
    LOG_LEVEL: logLevel.default('info'),
    LOG_PRETTY: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    KUBECONFIG: z.string().optional(),
    /** PagerDuty Events API v2 integration key for incident escalation; overrides the policy file's. */
    PAGERDUTY_ROUTING_KEY: z
      .string()
      .regex(/^[A-Za-z0-9]{32}$/, 'must be a 32-character PagerDuty integration key')
      .optional(),
    /** The Prometheus HTTP API base URL for KPIs; overrides the policy file's monitoring.prometheus.url. */
    PROMETHEUS_URL: url(['http:', 'https:']).optional(),
    /** Server-side and client-side bounds on one PostgreSQL query: a dead or black-holed database fails fast. */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
    DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(6_000),
    /** A killed worker's run is taken over after its lock lapses (lock duration) and the next stalled check. */
    RUN_LOCK_DURATION_MS: z.coerce.number().int().min(1_000).default(10_000),
    RUN_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(5_000),
    /** How long a step's upstream failures are retried: long enough to ride out an API-server restart. */
    RUN_STEP_RETRY_BUDGET_MS: z.coerce.number().int().min(0).default(120_000),
    /** How often every worker rebuilds runs, incident timers and digest schedules from PostgreSQL and the policy. */
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
    /** Bearer token Alertmanager sends to POST /alertmanager (web); without it alert deliveries are refused. */
    ALERTMANAGER_TOKEN: z.string().min(16, 'must be at least 16 characters (a random secret)').optional(),
    ...queueDashboardEnv,
    ...dataStoreEnv,
  })
  .superRefine(queueDashboardNeedsAuth);

export type Env = z.infer<typeof envSchema>;

/** The secrets in Env: never printed, always redacted in logs. */
export const secretEnvKeys = [
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'PAGERDUTY_ROUTING_KEY',
  'QUEUE_DASHBOARD_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
  'ALERTMANAGER_TOKEN',
] as const;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) throw new ConfigError('environment', formatIssues(result.error.issues));
  return result.data;
}
