/**
 * The maintenance windows' schedule, one idempotent pass that every worker runs every reconcile round
 * with the bot's clock: `announceBefore` ahead of a window its plan is posted for two-person approval;
 * when the window opens an approved one starts its run and an unapproved one is skipped, saying so in
 * the ops channel. Each of those moves is a conditional write in PostgreSQL, so however many replicas
 * pass at once the plan is posted, the run started and the skip announced once.
 */
import type { Logger } from '../../logger.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { derivedApprovalId } from '../../permissions/request-approval.ts';
import type { ApprovalRequester } from '../core/invoke-planned.ts';
import { SCHEDULE_REQUESTER } from '../disaster-recovery/scheduled-runs.ts';
import { maintenanceRun } from './maintenance-run.ts';
import type { WindowRecord } from './window-records.ts';
import { startWindowRun } from './window-start.ts';
import { describeOccurrence, enabledWindows, occurrenceId, occurrences, type Occurrence } from './window-times.ts';

/** A claim whose approval request never got recorded (its worker died in between) is re-posted after this. */
const LOST_POST_MS = 5 * 60_000;

export async function maintenanceWindowPass(
  deps: ActionDeps,
  approvals: ApprovalRequester,
  logger: Logger,
): Promise<void> {
  const now = deps.now();
  for (const window of enabledWindows(deps)) {
    const spec = deps.maintenance.policy.windows[window]!;
    const [occurrence] = occurrences(spec, now, 1);
    if (!occurrence || now.getTime() < occurrence.startsAt.getTime() - spec.announceBefore) continue;
    const id = occurrenceId(window, occurrence.startsAt);
    let record = await deps.maintenance.windows.get(id);
    if (!record && now < occurrence.startsAt) {
      record = await announce(deps, approvals, window, occurrence, logger);
    } else if (
      record?.state === 'announced' &&
      !record.approvalId &&
      now.getTime() - record.announcedAt.getTime() > LOST_POST_MS &&
      now < occurrence.startsAt
    ) {
      await postPlan(deps, approvals, record, logger);
    }
    if (now < occurrence.startsAt) continue;
    if (!record) {
      // The window opened before any worker posted its plan (the bot was down): it does not run.
      const claimed = await claimScheduled(deps, window, occurrence, 'skipped', now);
      if (claimed) await sayNotRun(deps, window, occurrence, id, 'its plan was never posted for approval');
      continue;
    }
    if (record.state === 'announced' && (await deps.maintenance.windows.skip(id)))
      await sayNotRun(deps, window, occurrence, id, 'its plan was not approved');
    else if (record.state === 'approved')
      await startWindowRun(deps, record, { requestedBy: SCHEDULE_REQUESTER, teamId: await teamOf(deps, record) });
  }
}

/** Records a scheduled occurrence in `state` unless a replica already did; true for the one that did. */
function claimScheduled(
  deps: ActionDeps,
  window: string,
  occurrence: Occurrence,
  state: 'announced' | 'skipped',
  at: Date,
): Promise<boolean> {
  return deps.maintenance.windows.claim({
    id: occurrenceId(window, occurrence.startsAt),
    window,
    environment: deps.maintenance.policy.windows[window]!.environment,
    ...occurrence,
    onDemand: false,
    state,
    announcedAt: at,
  });
}

async function announce(
  deps: ActionDeps,
  approvals: ApprovalRequester,
  window: string,
  occurrence: Occurrence,
  logger: Logger,
): Promise<WindowRecord | undefined> {
  const id = occurrenceId(window, occurrence.startsAt);
  const claimed = await claimScheduled(deps, window, occurrence, 'announced', deps.now());
  const record = await deps.maintenance.windows.get(id);
  if (claimed && record) await postPlan(deps, approvals, record, logger);
  return (await deps.maintenance.windows.get(id)) ?? record;
}

/**
 * Posts the occurrence's plan for approval in the ops channel (maintenanceRun's approval options: it
 * expires when the window opens, two approvers). The request's id is derived from the occurrence, so a
 * worker posting again after another died between posting and recording it finds the same request and
 * the same message (keyed by the id) instead of asking twice.
 */
export async function postPlan(
  deps: ActionDeps,
  approvals: ApprovalRequester,
  record: WindowRecord,
  logger: Logger,
): Promise<void> {
  const { teamId } = await deps.slackInstallation.inspect();
  const input = {
    window: record.window,
    at: record.startsAt.toISOString(),
    now: false,
    reason: `Scheduled ${record.window} maintenance window`,
  };
  const requestId = `window-${record.id}`;
  const context = {
    requestId,
    invoker: { userId: SCHEDULE_REQUESTER, teamId, channelId: deps.channels.ops },
    logger: logger.child({ window: record.id, requestId }),
    deps,
  };
  const plan = await maintenanceRun.plan(maintenanceRun.input.parse(input), context);
  const request = await approvals.request(maintenanceRun, input, plan, context, {
    id: derivedApprovalId(`maintenance-window:${record.id}`),
  });
  await deps.maintenance.windows.attachApproval(record.id, request.id);
  await deps.audit.record({
    requestId,
    teamId,
    userId: SCHEDULE_REQUESTER,
    channelId: deps.channels.ops,
    action: 'maintenance run',
    arguments: input,
    outcome: 'approval-requested',
    detail: `scheduled ${record.window} window ${record.startsAt.toISOString()}: approval ${request.id}`,
  });
}

async function sayNotRun(
  deps: ActionDeps,
  window: string,
  occurrence: Occurrence,
  id: string,
  why: string,
): Promise<void> {
  await deps.audit.record({
    requestId: `window-${id}`,
    userId: SCHEDULE_REQUESTER,
    channelId: deps.channels.ops,
    action: 'maintenance run',
    arguments: { window, at: occurrence.startsAt.toISOString() },
    outcome: 'skipped',
    detail: why,
  });
  await deps.notifier.send({
    key: `maintenance-window:${id}:skipped`,
    channel: deps.channels.ops,
    text: `:no_entry: The ${window} maintenance window (${describeOccurrence(occurrence)}) did not run: ${why}. Nothing was changed. Run it later with \`/eafix maintenance run ${window} --now\`.`,
  });
}

async function teamOf(deps: ActionDeps, record: WindowRecord): Promise<string> {
  const request = record.approvalId ? await deps.approvals.get(record.approvalId) : undefined;
  return request?.teamId ?? '';
}
