import type { Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import { isResumable } from '../handlers/core/define-action.ts';
import { executeApproved, replanApproved, type RequestAgain } from './approval-execution.ts';
import { refreshApprovalMessage } from './approval-records.ts';
import { auditApproval } from './request-approval.ts';
import type { ApprovalRequest } from './approval-types.ts';

/** How long an approved request stays unexecuted before a sweep looks at it (a live click starts its run far sooner). */
export const RESUME_AFTER_MS = 5 * 60_000;
/** Until when after its approval an interrupted resumable request is still carried out; later it fails. */
export const RESUME_WITHIN_MS = 30 * 60_000;
/** How long an approved action that runs at once may be executing before its outcome is called unknown. */
export const UNKNOWN_AFTER_MS = 10 * 60_000;

/**
 * Approved requests a stopped process left unexecuted: it died between the vote and recording the
 * execution, or while an action that runs at once (no run) was executing. Looked at once they have
 * waited RESUME_AFTER_MS (longer than any live click takes to start its run). A resumable one whose run
 * exists is recorded as executed; one without is carried out as approved while it is recent
 * (RESUME_WITHIN_MS: its plan is read again and must still match, its requester must still hold the
 * right, its run is keyed by the approval), and failed as too late after that. One that runs at once is
 * failed after UNKNOWN_AFTER_MS, its outcome unknown, since it may have taken effect. Safe on every
 * replica (a request finishes once); one failing does not stop the rest.
 */
export async function resumeInterrupted(deps: ActionDeps, requestAgain: RequestAgain, logger: Logger): Promise<number> {
  // Almost always there is nothing to settle: asked first, so the lock's connection is opened only when needed.
  const due = await deps.approvals.approvedBefore(new Date(deps.now().getTime() - RESUME_AFTER_MS), 1);
  if (due.length === 0) return 0;
  // One replica at a time: two sweeps judging one approval a second apart could carry it out and give it up.
  return (await deps.approvals.exclusively('resume-interrupted', () => settleAll(deps, requestAgain, logger))) ?? 0;
}

async function settleAll(deps: ActionDeps, requestAgain: RequestAgain, logger: Logger): Promise<number> {
  const waiting = await deps.approvals.approvedBefore(new Date(deps.now().getTime() - RESUME_AFTER_MS));
  let handled = 0;
  for (const request of waiting) {
    try {
      if (await settle(deps, requestAgain, request, logger)) handled += 1;
    } catch (err) {
      logger.warn({ err, approval: request.id }, 'could not settle an interrupted approval; trying again later');
    }
  }
  return handled;
}

/** Settles one interrupted approval; false when it is left for a later sweep. */
async function settle(
  deps: ActionDeps,
  requestAgain: RequestAgain,
  request: ApprovalRequest,
  logger: Logger,
): Promise<boolean> {
  const action = deps.registry.get(request.action);
  // Judged by the clock as the sweep reaches it: the ones before may have taken a while.
  const now = deps.now().getTime();
  const age = now - (request.decidedAt?.getTime() ?? now);
  if (action === undefined || !isResumable(action)) {
    if (age <= UNKNOWN_AFTER_MS) return false;
    await recordApproved(deps, request);
    const why =
      'The bot stopped while executing it, so whether it took effect is unknown. Check the state before asking again.';
    await record(deps, request, 'approval.interrupted', `failed: ${why}`, 'failed', why);
    return true;
  }
  const run = await deps.runs.forApproval(request.id);
  if (run) {
    const result = `Run \`${run.id}\` started (recorded after a restart).`;
    await record(deps, request, 'approval.resumed', `run ${run.id}`, 'executed', result);
    return true;
  }
  await recordApproved(deps, request);
  if (age > RESUME_WITHIN_MS) {
    const why =
      'The bot stopped before carrying it out, and it is too late to carry it out now. Nothing was changed; ask again if it is still needed.';
    await record(deps, request, 'approval.interrupted', `failed: ${why}`, 'failed', why);
  } else {
    await auditApproval(deps, request, 'system', 'approval.resumed', request.requestId);
    await executeApproved(
      deps,
      request,
      { requestId: request.requestId, logger },
      replanApproved(deps, request, request.requestId, logger),
      requestAgain,
    );
  }
  return true;
}

/**
 * The deciding click's `approval.approved` row is written with the run it starts, or before the approved
 * action executes: a process that stopped before either left none. Recorded here, before the sweep's own
 * row, so the log never lacks it. It may then appear more than once (the process stopped after writing it,
 * or a sweep failed to settle the request and a later one records both rows again, as it does its own),
 * and it carries the request's id, not the click's (which the request does not keep).
 */
async function recordApproved(deps: ActionDeps, request: ApprovalRequest): Promise<void> {
  await auditApproval(deps, request, request.decidedBy ?? 'system', 'approval.approved', request.requestId);
}

/** How an interrupted approval ended: audited before it shows on its message. */
async function record(
  deps: ActionDeps,
  request: ApprovalRequest,
  event: string,
  detail: string,
  status: 'executed' | 'failed',
  result: string,
): Promise<void> {
  await auditApproval(deps, request, 'system', event, request.requestId, detail);
  await deps.approvals.finish(request.id, status, result);
  await refreshApprovalMessage(deps, (await deps.approvals.get(request.id)) ?? request);
}
