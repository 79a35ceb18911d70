/**
 * The runbook's Disaster Recovery chapter as policy: what a backup includes and keeps (Velero options),
 * the backup schedules (daily full, hourly in trading hours), the daily backup verification and the
 * monthly DR drill schedules, and the Recovery Time Objectives
 * table drills are measured against. Every field has the runbook's default.
 */
import { z } from 'zod';
import { durationSchema } from './incident-policy.ts';
import { checkCron, timezoneSchema as timezone } from './schedule-fields.ts';

const cronField = z.string().min(9);

/** A schedule that starts an action's run: one run per tick however many workers there are. */
const scheduleSchema = (cron: string, enabled: boolean) =>
  z
    .object({
      cron: cronField.default(cron),
      timezone,
      environment: z.string().default('production'),
      enabled: z.boolean().default(enabled),
    })
    .superRefine(checkCron);

const objective = z.object({ rto: durationSchema, rpo: durationSchema });

/** The runbook's example hosted zone (`--hosted-zone-id Z123456789`): the default, and flagged until set. */
export const PLACEHOLDER_HOSTED_ZONE = 'Z123456789';

/** The runbook's Recovery Time Objectives table. */
export const DISASTER_TYPES = [
  'service-failure',
  'database-corruption',
  'data-centre-outage',
  'complete-loss',
] as const;
export type DisasterType = (typeof DISASTER_TYPES)[number];

export const DISASTER_LABELS: Record<DisasterType, string> = {
  'service-failure': 'Service Failure',
  'database-corruption': 'Database Corruption',
  'data-centre-outage': 'Data Center Outage',
  'complete-loss': 'Complete Infrastructure Loss',
};

export const drPolicySchema = z
  .object({
    backups: z
      .object({
        /** Velero's `spec.ttl`: how long a backup is kept. */
        ttl: z
          .string()
          .regex(/^(\d+h)?(\d+m)?(\d+s)?$/, 'must be a Go duration like 720h0m0s')
          .default('720h0m0s'),
        storageLocation: z.string().min(1).optional(),
        snapshotVolumes: z.boolean().optional(),
        /** Namespaces included per environment; default: the environment's own namespace. */
        includedNamespaces: z.record(z.string(), z.array(z.string().min(1)).min(1)).default({}),
        /** How long to wait for Velero to finish a Backup or Restore. */
        timeout: durationSchema.prefault('30m'),
      })
      .prefault({}),
    /** Daily full backup (runbook: Automated Backups, `0 2 * * *`), before the verification at 06:00. */
    // Off unless the policy turns them on (the example policy does): an upgrade starts no backups by itself.
    fullBackup: scheduleSchema('0 2 * * *', false).prefault({}),
    /**
     * Hourly backups during trading hours (runbook: `0 9-17 * * 1-5`, "incremental"): Velero's file-system
     * backups (Kopia) upload only what changed since the last one. The runbook's 5-minute transaction-log
     * backups are PostgreSQL's WAL archiving, which the platform's database configures, not a bot schedule.
     */
    hourlyBackup: scheduleSchema('0 9-17 * * 1-5', false).prefault({}),
    /** Daily backup verification (runbook: Backup Verification): a test restore of the newest backup. */
    verification: scheduleSchema('0 6 * * *', true).prefault({}),
    /** Monthly DR drill (runbook: Recovery Testing). */
    drill: scheduleSchema('0 10 1 * *', true).prefault({}),
    /** DR scenario 2 (data centre outage): the DR site's environment and the runbook's DNS failover. */
    site: z
      .object({
        environment: z.string().default('dr'),
        hostedZoneId: z
          .string()
          .regex(/^Z[A-Z0-9]+$/, 'must be a Route 53 hosted zone id like Z123456789')
          .default(PLACEHOLDER_HOSTED_ZONE),
        changeBatch: z.string().min(1).default('file://dns-failover.json'),
      })
      .prefault({}),
    /** How fresh the digest and App Home want the newest backup, verification and drill to be. */
    targets: z
      .object({
        backupMs: durationSchema.prefault('26h'),
        verifiedMs: durationSchema.prefault('26h'),
        drillMs: durationSchema.prefault('35d'),
      })
      .prefault({}),
    /** The runbook's Recovery Time Objectives table. */
    objectives: z
      .object({
        'service-failure': objective.prefault({ rto: '5m', rpo: '0s' }),
        'database-corruption': objective.prefault({ rto: '30m', rpo: '5m' }),
        'data-centre-outage': objective.prefault({ rto: '2h', rpo: '15m' }),
        'complete-loss': objective.prefault({ rto: '8h', rpo: '1h' }),
      })
      .prefault({}),
  })
  .prefault({});

export type DrPolicy = z.infer<typeof drPolicySchema>;
export type DrSchedule = DrPolicy['verification'];
