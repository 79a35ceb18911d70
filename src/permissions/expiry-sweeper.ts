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
  // Each sweep at most once at a time (one carrying out an approval reads its plan and starts its run),
  // and a slow one never holds up the other.
  const sweeps = [
    {
      run: () => service.expireDue(),
      what: 'approval expiry sweep failed',
      running: undefined as Promise<unknown> | undefined,
    },
    {
      run: () => service.resumeInterrupted(logger),
      what: 'interrupted approvals sweep failed',
      running: undefined as Promise<unknown> | undefined,
    },
  ];
  const timer = setInterval(() => {
    for (const sweep of sweeps) {
      sweep.running ??= sweep
        .run()
        .catch((err: unknown) => logger.warn({ err }, sweep.what))
        .finally(() => (sweep.running = undefined));
    }
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await Promise.all(sweeps.map((sweep) => sweep.running));
  };
}
