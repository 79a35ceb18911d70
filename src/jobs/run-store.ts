import type { RecordAuditWith } from '../audit/audit-log.ts';
import type { RunKind } from './run-definition.ts';
import type { RunQueries } from './run-queries.ts';
import type { NewPause, RunPause, RunRecord, RunStatus, RunThread, StepRecord } from './run-record.ts';

export interface NewRun {
  input: unknown;
  requestId: string;
  requestedBy: string;
  teamId: string;
  /** The action id users typed; defaults to the run kind. */
  action?: string;
  approvalId?: string;
  /** The same key (e.g. the approval id) always yields the same run: a double click never runs twice. */
  idempotencyKey?: string;
  /** Where progress is posted. */
  thread?: RunThread;
}

export interface CreatedRun {
  run: RunRecord;
  /** False when the idempotency key matched an existing run. */
  created: boolean;
  /** True when the run may be enqueued now; false while it waits for its target (or is already over). */
  startable: boolean;
  /** The run holding the target this one waits for. */
  waitingFor?: string;
}

export interface FinishedRun {
  run: RunRecord;
  /** False when the run had already ended (another worker finished it). */
  finished: boolean;
  /** The waiting run that was handed the target: enqueue it. */
  next?: string;
}

/** A step boundary written at once: the step that succeeded, and the next one unless the run was cancelled. */
export interface SteppedOn {
  done: StepRecord;
  /** The next step, started; undefined when cancellation was requested (the run stops there). */
  started?: StepRecord;
  cancel: CancelState;
}

export interface CancelState {
  requested: boolean;
  by?: string | undefined;
}

export interface StartedRun {
  run: RunRecord;
  /** A previous worker had started the run and did not finish it. */
  resumed: boolean;
  previousWorker?: string;
}

/**
 * Runs and their step checkpoints, durably (PgRunStore). Every state change is written here before any
 * observer hears of it, so whoever renders a run renders it from this store. One change per target:
 * a run with a target starts only once it holds it; ending a run hands the target to the next in line.
 */
/** What recording a decision on a pause did (RunStore.decide). */
export interface PauseDecisionWrite {
  pause: RunPause;
  decided: boolean;
  /** Set when nothing was recorded because the run no longer waits for a decision. */
  runStatus?: RunStatus | undefined;
  /** With `runStatus`: a cancel was requested (a cancelled paused run is queued for a worker to close). */
  runCancelled?: boolean | undefined;
}

export interface RunStore extends RunQueries {
  /**
   * Refuses (AppError `target_busy`) when the target is held and the kind does not queue. `recordWith`
   * puts held audit rows in the transaction that creates the run (AuditLog.recordWith).
   */
  createRun<Deps>(kind: RunKind<Deps>, request: NewRun, recordWith?: RecordAuditWith): Promise<CreatedRun>;
  /**
   * Marks the run running on `workerId`; undefined when it already ended. The run is that worker's from
   * now on: once another worker has started it, the step writes below given a worker (`workerId`, `owner`)
   * are refused with RunTakenOverError, and a pause or finish given one writes nothing (undefined, `finished:
   * false`), so an execution that lost its job goes past no boundary. startRun itself is not fenced: the
   * worker that starts the run last has it, and a worker asks Redis whether it still holds the run's job
   * once it has started the run, before any step (StepRunner.execute).
   */
  startRun(runId: string, workerId: string): Promise<StartedRun | undefined>;
  stepStarted(runId: string, index: number, workerId: string): Promise<StepRecord>;
  stepSucceeded(
    runId: string,
    index: number,
    result: { summary?: string | undefined; output?: unknown },
    owner?: string,
  ): Promise<StepRecord>;
  /**
   * `stepSucceeded(index)` and, in the same write, `stepStarted(next)` unless the run's cancellation was
   * requested (then only the success is written): one round trip per step boundary on the run's path.
   */
  stepSucceededThenStart(
    runId: string,
    index: number,
    result: { summary?: string | undefined; output?: unknown },
    next: { index: number; workerId: string },
  ): Promise<SteppedOn>;
  /** A failed attempt that will be retried: the step stays running, with the reason shown. */
  stepAttemptFailed(runId: string, index: number, error: string, owner?: string): Promise<void>;
  stepEnded(
    runId: string,
    index: number,
    status: 'failed' | 'cancelled',
    error: string,
    owner?: string,
  ): Promise<StepRecord>;
  /**
   * Pauses a running run at step `index` (run and step `paused`) with the request; undefined when the
   * run is not running (it ended or was paused already) or a cancel was requested. Written before anything
   * is posted.
   */
  pauseRun(runId: string, index: number, pause: NewPause, owner?: string): Promise<RunPause | undefined>;
  /**
   * Records the first decision on an undecided pause and queues its run again (to enqueue); a later
   * call leaves the first decision and returns it with `decided: false`. Nothing is recorded either when
   * the run no longer waits (cancelled or ended meanwhile): `decided: false` with its `runStatus`.
   * Undefined for no such pause.
   */
  decide(pauseId: string, optionId: string, by: string): Promise<PauseDecisionWrite | undefined>;
  getPause(pauseId: string): Promise<RunPause | undefined>;
  /** The run's most recent pause (decided or not). */
  latestPause(runId: string): Promise<RunPause | undefined>;
  /** Undecided, unescalated pauses of paused runs whose expiry is at or before `now`, oldest first. */
  expiredPauses(now: Date, limit?: number): Promise<RunPause[]>;
  /** Marks an expired pause escalated once; false when it was decided or escalated meanwhile. */
  markEscalated(pauseId: string, escalation: string): Promise<boolean>;
  /**
   * Ends the run, marks the steps it never reached skipped and hands its target to the next in line.
   * Given an `owner`, only while the run is that worker's (otherwise `finished: false`, nothing written).
   */
  finishRun(
    runId: string,
    outcome: { status: Exclude<RunStatus, 'queued' | 'running' | 'paused'>; error?: string; summary?: string },
    owner?: string,
  ): Promise<FinishedRun>;
  /** Flags an active run for cancellation; undefined when there is no such active run. */
  requestCancel(runId: string, by: string): Promise<RunRecord | undefined>;
  cancelState(runId: string): Promise<CancelState>;
  /** Whether the run may start: it changes nothing, or it holds its target. */
  mayStart(runId: string): Promise<boolean>;
  /** Saves the status message's ts unless one is saved already; returns the ts that is saved. */
  setStatusMessage(runId: string, ts: string): Promise<string>;
  /** Repairs targets whose hand-over was lost; returns the runs that were handed a target, to enqueue. */
  repairTargets(): Promise<Array<{ id: string; requestId: string }>>;
  /** Active runs a worker should have in the queue (re-enqueued after a crash between write and enqueue). */
  runsToEnqueue(limit?: number): Promise<Array<{ id: string; requestId: string; resumedCount: number }>>;
}
