import type { Logger } from '../logger.ts';
import type { ApprovalWorkflow } from './approval-types.ts';

/**
 * Expires overdue approval requests, and carries out approved ones a stopped process left unexecuted, on a
 * timer; safe on every replica (each expiry and each finish is atomic).
 */
export function startExpirySweeper(
  service: Pick<ApprovalWorkflow, 'expireDue' | 'resumeInterrupted'>,
  logger: Logger,
  intervalMs: number,
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    // A sweep still carrying out an approval (its plan read again, its run started) is not run twice.
    if (busy) return;
    busy = true;
    running = Promise.all([
      service.expireDue().catch((err: unknown) => logger.warn({ err }, 'approval expiry sweep failed')),
      service
        .resumeInterrupted(logger)
        .catch((err: unknown) => logger.warn({ err }, 'interrupted approvals sweep failed')),
    ]).finally(() => (busy = false));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
