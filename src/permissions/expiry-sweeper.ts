import type { Logger } from '../logger.ts';
import type { ApprovalWorkflow } from './approval-types.ts';

/** Expires overdue approval requests on a timer; safe on every replica (each expiry is atomic). */
export function startExpirySweeper(
  service: Pick<ApprovalWorkflow, 'expireDue'>,
  logger: Logger,
  intervalMs: number,
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = service.expireDue().catch((err: unknown) => logger.warn({ err }, 'approval expiry sweep failed'));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
