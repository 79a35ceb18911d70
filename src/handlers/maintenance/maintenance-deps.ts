import type { MaintenancePolicy } from '../../config/maintenance-policy.ts';
import type { WindowRecords } from './window-records.ts';

/** What the maintenance window actions add to the deps: their policy section and the occurrences. */
export interface MaintenanceDeps {
  policy: MaintenancePolicy;
  windows: WindowRecords;
}
