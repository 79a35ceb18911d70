import type { Logger } from './logger.ts';
import type { ActionDeps } from './handlers/core/action-deps.ts';
import type { ApprovalService } from './permissions/approval-service.ts';
import { startExpirySweeper } from './permissions/expiry-sweeper.ts';
import { Reconciler, type ReconcilePass } from './jobs/reconciler.ts';
import type { ShutdownSteps } from './stop-all.ts';

/** A part of the bot that runs work in the worker roles: started with the finished deps, reconciled. */
export interface WorkerPart {
  start: (deps: ActionDeps) => Promise<void>;
  passes: ReconcilePass[];
}

/**
 * Starts what takes jobs, once everything is wired, so a job due at start-up finds its deps: after a
 * worker process's load of the Kubernetes client, each part's workers, the reconciler over every part's
 * passes, and the approval expiry sweeper.
 */
export async function startWorkers(options: {
  /** A worker process's load of the Kubernetes client: its jobs are what use the cluster. */
  clusterLoaded?: Promise<void>;
  parts: WorkerPart[];
  /** Passes that are not a part's own (maintenance windows). */
  passes: ReconcilePass[];
  deps: ActionDeps;
  approvalService: ApprovalService;
  reconcileIntervalMs: number;
  sweepIntervalMs: number;
  logger: Logger;
  shutdown: ShutdownSteps;
}): Promise<void> {
  const { deps, logger, shutdown } = options;
  await options.clusterLoaded;
  for (const part of options.parts) await part.start(deps);
  const reconciler = new Reconciler({
    passes: [...options.parts.flatMap((p) => p.passes), ...options.passes],
    intervalMs: options.reconcileIntervalMs,
    logger: logger.child({ component: 'reconciler' }),
  });
  reconciler.start();
  shutdown.unshift(() => reconciler.stop());
  shutdown.unshift(startExpirySweeper(options.approvalService, logger, options.sweepIntervalMs));
}
