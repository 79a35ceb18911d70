import { withRequestId, type Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import type { InvokeDeps } from '../handlers/core/invoke.ts';
import type { ApprovalService } from '../permissions/approval-service.ts';
import type { AlertLog } from '../alerts/alert-log.ts';
import { newRequestId } from './slack-http-receiver.ts';

/** What the Slack listeners serve: the actions' dependencies and the approval service that decides clicks. */
export interface BotServices {
  deps: ActionDeps;
  approvalService: ApprovalService;
  /** Alert groups, which the alert message's buttons name. */
  alerts: AlertLog;
}

/** The invocation path's dependencies, from the listeners' services. */
export const invokeDepsOf = (services: BotServices): InvokeDeps => ({
  deps: services.deps,
  approvals: services.approvalService,
});

/** The request id and logger the gate attached to this delivery (or fresh ones). */
export function requestScope(
  context: Record<string, unknown>,
  baseLogger: Logger,
): { requestId: string; logger: Logger } {
  const requestId = (context.requestId as string | undefined) ?? newRequestId();
  return { requestId, logger: (context.requestLogger as Logger | undefined) ?? withRequestId(baseLogger, requestId) };
}
