/**
 * Starting an approved window's run: keyed by the occurrence, so the approval, the schedule and a second
 * replica asking at once all find the same run; its progress goes to the approval message's thread.
 */
import type { RunThread } from '../../jobs/run-record.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import type { WindowRecord } from './window-records.ts';
import { windowRunKind } from './window-run.ts';

export async function startWindowRun(
  deps: ActionDeps,
  record: WindowRecord,
  by: { requestedBy: string; teamId: string; approvalId?: string | undefined; thread?: RunThread | undefined },
): Promise<{ runId: string; waitingFor?: string | undefined }> {
  const thread = by.thread ?? (await approvalThread(deps, record.approvalId)) ?? { channel: deps.channels.ops, ts: '' };
  const started = await deps.runs.start(windowRunKind(record.window, deps.maintenance.policy), {
    input: {
      window: record.window,
      windowId: record.id,
      environment: record.environment,
      startsAt: record.startsAt.toISOString(),
      endsAt: record.endsAt.toISOString(),
      reason: `${record.window} maintenance window ${record.onDemand ? '(on demand)' : '(scheduled)'}`,
    },
    requestId: `window-${record.id}`,
    requestedBy: by.requestedBy,
    teamId: by.teamId,
    action: 'maintenance run',
    approvalId: by.approvalId ?? record.approvalId,
    idempotencyKey: `window-${record.id}`,
    thread,
  });
  await deps.maintenance.windows.markRunning(record.id, started.runId);
  return started;
}

async function approvalThread(deps: ActionDeps, approvalId: string | undefined): Promise<RunThread | undefined> {
  const request = approvalId ? await deps.approvals.get(approvalId) : undefined;
  return request?.messageChannel && request.messageTs
    ? { channel: request.messageChannel, ts: request.messageTs }
    : undefined;
}
