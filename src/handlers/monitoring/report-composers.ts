import type { DigestKind } from '../../config/reports-policy.ts';
import { composeSecurityChecklist } from '../security/daily-checklist.ts';
import type { ReportComposer } from './report-types.ts';
import { composePerformanceReview } from './performance-review.ts';
import { composeCapacityReview } from './capacity-review.ts';

/** The runbook's recurring reviews, posted through the digest schedule by their `kind`. */
export const reportComposers: Record<Exclude<DigestKind, 'status'>, ReportComposer> = {
  'security-checklist': composeSecurityChecklist,
  'performance-review': composePerformanceReview,
  'capacity-review': composeCapacityReview,
};
