import type { RunPause, RunStatus } from './run-record.ts';
import type { RunStore } from './run-store.ts';

export type DecideResult =
  /** This call's decision was recorded; the run is queued again. */
  | { outcome: 'decided'; pause: RunPause }
  /** Someone decided first: their decision stands (double click, two people at once). */
  | { outcome: 'already-decided'; pause: RunPause }
  /** The run no longer waits (cancelled or ended meanwhile): nothing was recorded. */
  | { outcome: 'not-waiting'; pause: RunPause; runStatus: RunStatus | undefined; runCancelled: boolean }
  | { outcome: 'unknown-pause' }
  | { outcome: 'unknown-option'; pause: RunPause };

/**
 * Takes a decision on a paused run: recorded once (the first wins, in the store's transaction), then
 * the run's job is enqueued so a worker resumes it. A lost enqueue (crash, Redis down, the paused job
 * not yet completed) is repaired by the reconciler, which enqueues every queued run that has no job.
 * Who may decide and the audit are the caller's (the Slack listener), before it calls this.
 */
export class RunDecisions {
  constructor(
    private readonly options: {
      store: Pick<RunStore, 'decide' | 'getPause' | 'getRun'>;
      enqueue: (runId: string, requestId: string) => Promise<void>;
    },
  ) {}

  async decide(pauseId: string, optionId: string, by: string): Promise<DecideResult> {
    const { store } = this.options;
    const pause = await store.getPause(pauseId);
    if (!pause) return { outcome: 'unknown-pause' };
    if (!pause.options.some((o) => o.id === optionId)) return { outcome: 'unknown-option', pause };
    const result = await store.decide(pauseId, optionId, by);
    if (!result) return { outcome: 'unknown-pause' };
    if (!result.decided)
      return result.pause.decision
        ? { outcome: 'already-decided', pause: result.pause }
        : {
            outcome: 'not-waiting',
            pause: result.pause,
            runStatus: result.runStatus,
            runCancelled: result.runCancelled === true,
          };
    const run = await store.getRun(pause.runId);
    if (run && run.status === 'queued') await this.options.enqueue(run.id, run.requestId);
    return { outcome: 'decided', pause: result.pause };
  }
}
