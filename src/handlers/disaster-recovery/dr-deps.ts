import type { DrPolicy } from '../../config/dr-policy.ts';
import type { DrRecords } from './dr-records.ts';

/** What the Disaster Recovery actions add to the deps: their policy section and their findings. */
export interface DrDeps {
  policy: DrPolicy;
  records: DrRecords;
}
