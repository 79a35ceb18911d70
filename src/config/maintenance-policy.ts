/**
 * The runbook's Scheduled Maintenance Windows as policy: when each window opens (cron), how long it
 * lasts, how long before it the plan is posted for approval, and which of the runbook's steps it runs.
 * Defaults: weekly, Sundays 02:00–04:00 UTC; monthly, the first Sunday 01:00–05:00 UTC.
 */
import { z } from 'zod';
import { durationSchema } from './incident-policy.ts';
import { checkCron, timezoneSchema as timezone } from './schedule-fields.ts';

/** The runbook's maintenance steps a window may run, by id (src/handlers/maintenance/window-steps.ts). */
export const MAINTENANCE_STEPS = [
  'maintenance-on',
  'vacuum',
  'reindex',
  'logs-cleanup',
  'metrics-cleanup',
  'security-patches',
  'doctor',
  'full-backup',
  'verify-backup',
  'database-optimize',
  'certificates',
  'security-updates',
  'benchmark',
  'capacity-report',
  'maintenance-off',
] as const;
export type MaintenanceStepId = (typeof MAINTENANCE_STEPS)[number];

const WEEKLY: MaintenanceStepId[] = [
  'maintenance-on',
  'vacuum',
  'reindex',
  'logs-cleanup',
  'metrics-cleanup',
  'security-patches',
  'doctor',
  'maintenance-off',
];
const MONTHLY: MaintenanceStepId[] = [
  'full-backup',
  'verify-backup',
  'database-optimize',
  'certificates',
  'security-updates',
  'benchmark',
  'capacity-report',
];

const windowSchema = z
  .object({
    /** When the window opens; `0 1 * * 0#1` is the first Sunday of the month. */
    cron: z.string().min(9),
    timezone,
    duration: durationSchema,
    /** How long before the window its plan is posted for two-person approval. */
    announceBefore: durationSchema.prefault('24h'),
    environment: z.string().default('production'),
    enabled: z.boolean().default(true),
    steps: z.array(z.enum(MAINTENANCE_STEPS)).min(1),
  })
  .superRefine((value, ctx) => {
    checkCron(value, ctx);
    if (value.announceBefore <= 0) ctx.addIssue({ code: 'custom', path: ['announceBefore'], message: 'must be > 0' });
    const dupes = value.steps.filter((s, i) => value.steps.indexOf(s) !== i);
    if (dupes.length) ctx.addIssue({ code: 'custom', path: ['steps'], message: `listed twice: ${dupes.join(', ')}` });
  });

export type MaintenanceWindowSpec = z.infer<typeof windowSchema>;

/** The runbook's windows: a `weekly` or `monthly` entry in the policy only says what differs. */
const RUNBOOK_WINDOWS: Record<string, { cron: string; duration: string; steps: MaintenanceStepId[] }> = {
  weekly: { cron: '0 2 * * 0', duration: '2h', steps: WEEKLY },
  monthly: { cron: '0 1 * * 0#1', duration: '4h', steps: MONTHLY },
};

const withRunbookDefaults = (raw: unknown): unknown => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  return Object.fromEntries(
    Object.entries(raw).map(([name, given]) => {
      const runbook = RUNBOOK_WINDOWS[name];
      const fill = runbook && (given === null || (typeof given === 'object' && !Array.isArray(given)));
      return [name, fill ? { ...runbook, ...(given ?? {}) } : given];
    }),
  );
};

/**
 * The kinds a manifest set may touch, as `resource.group` (`deployments.apps`; `configmaps` for the core
 * group). The set's file lives in the toolbox image, so its kinds cannot be read from here: they are
 * declared, and the toolbox's Role (npm run rbac:generate) grants exactly these. Named kinds only: no
 * wildcard, and nothing of RBAC (a maintenance manifest does not change who may do what).
 */
const manifestResource = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9.-]*)?$/, 'a plural resource and its API group, like deployments.apps')
  .refine((r) => !r.endsWith('.rbac.authorization.k8s.io'), 'RBAC objects are not maintenance manifests');

/** The runbook's security patches and updates bump workloads' images: its default kinds. */
export const DEFAULT_MANIFEST_RESOURCES = ['deployments.apps', 'statefulsets.apps'];

/** Manifests a window applies server-side (`kubectl apply --server-side -f <source>`): a path in the toolbox image or a URL. */
const manifestSource = (source: string) =>
  z
    .object({
      source: z
        .string()
        .min(1)
        .regex(/^[^\s]+$/, 'one path or URL, no spaces')
        .default(source),
      resources: z
        .array(manifestResource)
        .min(1)
        .default(() => [...DEFAULT_MANIFEST_RESOURCES]),
    })
    .prefault({});

export const maintenancePolicySchema = z
  .object({
    windows: z
      .preprocess(
        withRunbookDefaults,
        z.record(z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'a window name like weekly'), windowSchema),
      )
      .prefault({ weekly: {}, monthly: {} }),
    securityPatches: manifestSource('maintenance/security-patches.yaml'),
    securityUpdates: manifestSource('maintenance/security-updates.yaml'),
    /** The field manager of the server-side applies. */
    fieldManager: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}$/)
      .default('eafix-maintenance'),
    /** `logs cleanup --older-than` and the metrics retention. */
    logRetention: z
      .string()
      .regex(/^\d+d$/, 'days like 30d')
      .default('30d'),
    metricsRetention: z
      .string()
      .regex(/^\d+d$/, 'days like 30d')
      .default('30d'),
    certificates: z
      .object({
        expiringWithin: durationSchema.prefault('30d'),
        /** Ask cert-manager to renew the expiring ones (`cmctl renew`); off: only report them. */
        renew: z.boolean().default(true),
      })
      .prefault({}),
    /** How long each step is expected to take: a step that would end after the window's end pauses first. */
    estimates: z.partialRecord(z.enum(MAINTENANCE_STEPS), durationSchema).default({}),
  })
  .prefault({});

export type MaintenancePolicy = z.infer<typeof maintenancePolicySchema>;
