/** The `eafix.io/*` annotations every write leaves on the object it changed. */
import type { ChangeMeta } from './cluster.ts';

export const CHANGE_ANNOTATIONS = {
  changedBy: 'eafix.io/changed-by',
  reason: 'eafix.io/change-reason',
  requestId: 'eafix.io/request-id',
  approvalId: 'eafix.io/approval-id',
  changedAt: 'eafix.io/changed-at',
} as const;

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/**
 * Patch-ready annotations. A change without an approval sends `null` for the approval id, which both
 * merge and strategic-merge patches read as "remove": an older approval id must not stay next to a
 * newer changed-by.
 */
export function changeAnnotations(change: ChangeMeta, now: Date): Record<string, string | null> {
  return {
    [CHANGE_ANNOTATIONS.changedBy]: change.requestedBy,
    [CHANGE_ANNOTATIONS.reason]: change.reason,
    [CHANGE_ANNOTATIONS.requestId]: change.requestId,
    [CHANGE_ANNOTATIONS.approvalId]: change.approvalId ?? null,
    [CHANGE_ANNOTATIONS.changedAt]: now.toISOString(),
  };
}
