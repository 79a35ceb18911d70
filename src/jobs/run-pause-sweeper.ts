import type { Logger } from '../logger.ts';
import type { RunPause, RunRecord } from './run-record.ts';
import type { RunStore } from './run-store.ts';

/** Escalates an expired pause (opens an incident); returns what it did, shown with the pause. */
export type EscalatePause = (run: RunRecord, pause: RunPause) => Promise<string>;

/**
 * Expired, undecided pauses escalate once: the escalation (e.g. an incident referencing the run and its
 * thread) is made, then the pause is marked escalated and its message says so. The run stays paused: a
 * person can still decide, and nothing irreversible happens without one. A reconcile pass on every
 * worker, on the injected clock; an escalation that fails is tried again next round. The escalation
 * should be idempotent on the pause id: a crash between it and the mark repeats it.
 */
export class RunPauseSweeper {
  constructor(
    private readonly options: {
      store: Pick<RunStore, 'expiredPauses' | 'markEscalated' | 'getRun'>;
      escalate: EscalatePause;
      now: () => Date;
      logger: Logger;
    },
  ) {}

  async sweep(): Promise<string[]> {
    const { store, escalate, now, logger } = this.options;
    const escalated: string[] = [];
    for (const pause of await store.expiredPauses(now())) {
      const run = await store.getRun(pause.runId);
      if (!run) continue;
      try {
        const what = await escalate(run, pause);
        if (await store.markEscalated(pause.id, what)) escalated.push(pause.id);
      } catch (err) {
        logger.warn(
          { err, runId: run.id, pauseId: pause.id },
          'could not escalate an expired pause; retrying next round',
        );
      }
    }
    if (escalated.length) logger.info({ escalated }, 'expired run pauses escalated');
    return escalated;
  }
}
