import type { Policy } from './config/policy.ts';
import type { Logger } from './logger.ts';
import type { Pool } from './store/database.ts';
import type { ActionDeps } from './handlers/core/action-deps.ts';
import type { ApprovalRequester } from './handlers/core/invoke-planned.ts';
import type { MaintenanceDeps } from './handlers/maintenance/maintenance-deps.ts';
import { maintenanceWindowPass } from './handlers/maintenance/window-schedule.ts';
import { PgWindowRecords } from './store/pg-window-records.ts';
import type { ReconcilePass } from './jobs/reconciler.ts';

/**
 * Maintenance windows: their deps (every role), and their schedule as a reconcile pass (worker and all
 * roles): every worker looks at the windows every round, and PostgreSQL lets one of them act.
 */
export function startMaintenance(options: { policy: Policy; pool: Pool; logger: Logger }): {
  maintenance: MaintenanceDeps;
  pass: (deps: ActionDeps, approvals: ApprovalRequester) => ReconcilePass;
} {
  const logger = options.logger.child({ component: 'maintenance-windows' });
  return {
    maintenance: { policy: options.policy.maintenance, windows: new PgWindowRecords(options.pool) },
    pass: (deps, approvals) => ({
      name: 'maintenance windows',
      run: () => maintenanceWindowPass(deps, approvals, logger),
    }),
  };
}
