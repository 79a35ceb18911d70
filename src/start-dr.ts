import type { Env } from './config/env.ts';
import type { Policy } from './config/policy.ts';
import type { Logger } from './logger.ts';
import type { Pool } from './store/database.ts';
import type { Redis } from './redis/redis-connection.ts';
import type { ActionDeps } from './handlers/core/action-deps.ts';
import type { DrDeps } from './handlers/disaster-recovery/dr-deps.ts';
import { onDrScheduleTick } from './handlers/disaster-recovery/dr-schedules.ts';
import { PgDrRecords } from './store/pg-dr-records.ts';
import { DrScheduler } from './jobs/dr-scheduler.ts';
import type { ReconcilePass } from './jobs/reconciler.ts';
import type { Role } from './process-role.ts';

/** Backups, verifications and drills: their deps (every role), and the schedules (worker and all roles). */
export function startDr(options: { role: Role; env: Env; policy: Policy; pool: Pool; redis: Redis; logger: Logger }): {
  dr: DrDeps;
  start: (deps: ActionDeps) => Promise<void>;
  passes: ReconcilePass[];
  stop: () => Promise<void>;
} {
  const { env, policy, role } = options;
  const logger = options.logger.child({ component: 'disaster-recovery' });
  const dr: DrDeps = { policy: policy.disasterRecovery, records: new PgDrRecords(options.pool) };
  const runsSchedules = role === 'worker' || role === 'all';
  const scheduler = runsSchedules
    ? new DrScheduler({ connection: options.redis, prefix: env.REDIS_PREFIX, logger })
    : undefined;
  const { verification, drill, fullBackup, hourlyBackup } = policy.disasterRecovery;
  const specs = [
    { name: 'full-backup', ...fullBackup },
    { name: 'hourly-backup', ...hourlyBackup },
    { name: 'verification', ...verification },
    { name: 'drill', ...drill },
  ];
  return {
    dr,
    start: async (deps) => {
      await scheduler?.start((schedule, due) => onDrScheduleTick(deps, schedule, due));
    },
    passes: scheduler ? [{ name: 'dr schedules', run: () => scheduler.sync(specs) }] : [],
    stop: async () => scheduler?.close(),
  };
}
