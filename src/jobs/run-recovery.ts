import type { Logger } from '../logger.ts';
import type { RunStore } from './run-store.ts';
import type { RunQueue } from './run-queue.ts';

export interface RunRecoveryOptions {
  store: RunStore;
  queue: RunQueue;
  logger: Logger;
  /** A run started this often without finishing is failed instead of enqueued again. */
  maxResumes: number;
  /** Ends a run that cannot be resumed, reporting it like any failed run. */
  giveUp: (runId: string, reason: string) => Promise<void>;
}

export interface RecoveryReport {
  requeued: string[];
  gaveUp: string[];
  targetsHanded: string[];
}

const liveJobStates = new Set(['active', 'waiting', 'waiting-children', 'delayed', 'prioritized']);

/**
 * Self-healing for runs, from PostgreSQL's view: a run that is active there but has no live BullMQ job
 * (its attempts ran out during an outage, Redis lost it, a crash between commit and enqueue) is
 * enqueued again and resumes from its checkpoints; a target whose hand-over was lost is repaired.
 * Idempotent, so every worker may run it: jobId = runId makes a second enqueue a no-op.
 */
export class RunRecovery {
  constructor(private readonly options: RunRecoveryOptions) {}

  async reconcile(): Promise<RecoveryReport> {
    const { store, queue, logger, maxResumes } = this.options;
    const report: RecoveryReport = { requeued: [], gaveUp: [], targetsHanded: [] };
    for (const run of await store.repairTargets()) {
      await queue.enqueue(run.id, run.requestId);
      report.targetsHanded.push(run.id);
    }
    for (const run of await store.runsToEnqueue()) {
      const state = await queue.jobState(run.id);
      if (state !== undefined && liveJobStates.has(state)) continue;
      if (run.resumedCount >= maxResumes) {
        await this.options.giveUp(run.id, `the run was resumed ${run.resumedCount} times without finishing`);
        report.gaveUp.push(run.id);
        continue;
      }
      // A finished job still stored under the run's id would make the new one a no-op.
      if (state !== undefined) await queue.removeJob(run.id);
      await queue.enqueue(run.id, run.requestId);
      report.requeued.push(run.id);
    }
    if (report.requeued.length + report.gaveUp.length + report.targetsHanded.length > 0)
      logger.info(report, 'runs reconciled');
    return report;
  }
}
