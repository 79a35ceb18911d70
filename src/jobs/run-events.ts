import type { Logger } from '../logger.ts';
import type { RunStatus } from './run-record.ts';

/**
 * What the engine reports as a run progresses. Each event is emitted after the change it describes
 * was written to the run store, so an observer may ignore the details and render the run from there.
 */
export type RunEvent =
  | { type: 'queued'; runId: string; waitingFor?: string | undefined }
  | { type: 'step-started'; runId: string; stepIndex: number; stepId: string; title: string; attempt: number }
  | {
      type: 'step-finished';
      runId: string;
      stepIndex: number;
      stepId: string;
      title: string;
      durationMs: number;
      summary?: string | undefined;
    }
  | {
      type: 'step-failed';
      runId: string;
      stepIndex: number;
      stepId: string;
      title: string;
      reason: string;
      attempt: number;
      /** True when the error is upstream and another attempt follows after a backoff. */
      willRetry: boolean;
    }
  | {
      /** The run paused for a decision (written with its question; a worker no longer holds it). */
      type: 'paused';
      runId: string;
      stepIndex: number;
      stepId: string;
      title: string;
      pauseId: string;
    }
  | { type: 'resumed'; runId: string; workerId: string; previousWorker?: string | undefined; stepIndex: number }
  | {
      type: 'run-finished';
      runId: string;
      status: Exclude<RunStatus, 'queued' | 'running' | 'paused'>;
      summary?: string | undefined;
      error?: string | undefined;
    };

export type RunEventType = RunEvent['type'];

/**
 * Receives run events. The engine awaits each call, so observers that do slow I/O should coalesce
 * and return quickly; the promise for `run-finished` should settle only once the final state is
 * delivered (the job completes after it). Observer failures are logged and never fail a run.
 */
export interface RunObserver {
  onEvent(event: RunEvent): Promise<void>;
}

/** Fans events out to several observers, isolating each one's failures. */
export function combineObservers(observers: RunObserver[], logger: Logger): RunObserver {
  return {
    async onEvent(event) {
      await Promise.all(observers.map((observer) => notify(observer, event, logger)));
    },
  };
}

/** Delivers one event, logging (never throwing) an observer's failure. */
export async function notify(observer: RunObserver | undefined, event: RunEvent, logger: Logger): Promise<void> {
  if (!observer) return;
  try {
    await observer.onEvent(event);
  } catch (err) {
    logger.warn({ err, runId: event.runId, event: event.type }, 'run observer failed');
  }
}
