import { inTransaction } from './database.ts';
import type { Pool, PoolClient } from './database.ts';
import type { RunKind } from '../jobs/run-definition.ts';
import type { NewPause, RunPause, RunRecord, RunStatus, StepRecord } from '../jobs/run-record.ts';
import type {
  CreatedRun,
  FinishedRun,
  NewRun,
  PauseDecisionWrite,
  RunStore,
  StartedRun,
  SteppedOn,
} from '../jobs/run-store.ts';
import { PgRunQueries } from './pg-run-queries.ts';
import { PgRunPauses, type OnPauseChanged } from './pg-run-pauses.ts';
import { stepSucceededThenStart } from './pg-step-boundary.ts';
import { createRun, type OnRunCreated } from './pg-run-creation.ts';
import type { RecordAuditWith } from '../audit/audit-log.ts';
import { runFromRow, stepFromRow, type RunRow, type StepRow } from './run-rows.ts';
import { mayStart, releaseTarget, repairTarget } from './target-lock.ts';
import { RunTakenOverError } from '../jobs/step-attempt.ts';

/**
 * A step write given a worker (parameter `param`) applies only while the run (`$1`) is that worker's (see
 * RunStore.startRun). The row is locked, so a startRun committing meanwhile is waited for and seen.
 */
const ownedBy = (param: string) =>
  `(${param}::text IS NULL OR EXISTS (SELECT 1 FROM runs WHERE id = $1 AND worker_id = ${param} AND status = 'running' FOR SHARE))`;

/** The step a write returned; none, for a write given its worker, means another worker has the run now. */
function ownedStep(runId: string, row: StepRow | undefined, owner: string | undefined): StepRecord {
  if (row) return stepFromRow(row);
  if (owner !== undefined) throw new RunTakenOverError(runId);
  throw new Error(`run ${runId} has no such step`);
}

/**
 * Runs and their step checkpoints in PostgreSQL. Every state change is written here before any
 * observer hears of it, so whoever renders a run renders it from this store.
 */
/** Written in the transaction that ends a run (the Slack outbox's final reply), so the end is never unreported. */
export type OnRunFinished = (client: PoolClient, run: RunRecord) => Promise<void>;

/** What is written with a run's creation, end and pauses, in their transactions. */
export interface RunStoreHooks {
  onCreated?: OnRunCreated;
  onFinished?: OnRunFinished;
  onPauseChanged?: OnPauseChanged;
}

export class PgRunStore extends PgRunQueries implements RunStore {
  private readonly pauses: PgRunPauses;

  constructor(
    private readonly db: Pool,
    private readonly hooks: RunStoreHooks = {},
  ) {
    super(db);
    this.pauses = new PgRunPauses(db, hooks.onPauseChanged);
  }

  pauseRun(runId: string, index: number, pause: NewPause, owner?: string): Promise<RunPause | undefined> {
    return this.pauses.pauseRun(runId, index, pause, owner);
  }

  decide(pauseId: string, optionId: string, by: string): Promise<PauseDecisionWrite | undefined> {
    return this.pauses.decide(pauseId, optionId, by);
  }

  getPause(pauseId: string): Promise<RunPause | undefined> {
    return this.pauses.getPause(pauseId);
  }

  latestPause(runId: string): Promise<RunPause | undefined> {
    return this.pauses.latestPause(runId);
  }

  expiredPauses(now: Date, limit?: number): Promise<RunPause[]> {
    return this.pauses.expiredPauses(now, limit);
  }

  markEscalated(pauseId: string, escalation: string): Promise<boolean> {
    return this.pauses.markEscalated(pauseId, escalation);
  }

  createRun<Deps>(kind: RunKind<Deps>, request: NewRun, recordWith?: RecordAuditWith): Promise<CreatedRun> {
    return createRun(this.db, kind, request, this.hooks.onCreated, recordWith);
  }

  /**
   * Marks the run running on `workerId`; undefined when it already ended. One statement (it is on every
   * run's path to its first step): the row is locked and read as it was, then updated.
   */
  async startRun(runId: string, workerId: string): Promise<StartedRun | undefined> {
    const updated = await this.db.query<RunRow & { previous_status: string; previous_worker: string | null }>(
      `UPDATE runs SET status = 'running', worker_id = $2, started_at = coalesce(runs.started_at, clock_timestamp()),
              resumed_count = runs.resumed_count + CASE WHEN prior.status = 'running' THEN 1 ELSE 0 END
         FROM (SELECT id, status, worker_id FROM runs WHERE id = $1 FOR UPDATE) AS prior
        WHERE runs.id = prior.id AND prior.status IN ('queued', 'running')
        RETURNING runs.*, prior.status AS previous_status, prior.worker_id AS previous_worker`,
      [runId, workerId],
    );
    const row = updated.rows[0];
    if (!row) return undefined;
    return {
      run: runFromRow(row),
      resumed: row.previous_status === 'running',
      previousWorker: row.previous_worker ?? undefined,
    };
  }

  async stepStarted(runId: string, index: number, workerId: string): Promise<StepRecord> {
    const result = await this.db.query<StepRow>(
      `WITH run AS (UPDATE runs SET current_step = $2 WHERE id = $1 AND worker_id = $3 AND status = 'running' RETURNING id)
       UPDATE run_steps SET status = 'running', attempt = attempt + 1, started_at = clock_timestamp(), finished_at = NULL,
              error = NULL, worker_id = $3
        WHERE run_id = $1 AND step_index = $2 AND EXISTS (SELECT 1 FROM run) RETURNING *`,
      [runId, index, workerId],
    );
    return ownedStep(runId, result.rows[0], workerId);
  }

  async stepSucceeded(
    runId: string,
    index: number,
    result: { summary?: string | undefined; output?: unknown },
    owner?: string,
  ): Promise<StepRecord> {
    const updated = await this.db.query<StepRow>(
      `UPDATE run_steps SET status = 'succeeded', finished_at = clock_timestamp(), summary = $3, output = $4, error = NULL
        WHERE run_id = $1 AND step_index = $2 AND ${ownedBy('$5')} RETURNING *`,
      [
        runId,
        index,
        result.summary ?? null,
        result.output === undefined ? null : JSON.stringify(result.output),
        owner ?? null,
      ],
    );
    return ownedStep(runId, updated.rows[0], owner);
  }

  stepSucceededThenStart(
    runId: string,
    index: number,
    result: { summary?: string | undefined; output?: unknown },
    next: { index: number; workerId: string },
  ): Promise<SteppedOn> {
    return stepSucceededThenStart(this.db, runId, index, result, next);
  }

  /** A failed attempt that will be retried: the step stays running, with the reason shown. */
  async stepAttemptFailed(runId: string, index: number, error: string, owner?: string): Promise<void> {
    const updated = await this.db.query(
      `UPDATE run_steps SET error = $3 WHERE run_id = $1 AND step_index = $2 AND ${ownedBy('$4')}`,
      [runId, index, error, owner ?? null],
    );
    if (updated.rowCount === 0 && owner !== undefined) throw new RunTakenOverError(runId);
  }

  async stepEnded(
    runId: string,
    index: number,
    status: 'failed' | 'cancelled',
    error: string,
    owner?: string,
  ): Promise<StepRecord> {
    const updated = await this.db.query<StepRow>(
      `UPDATE run_steps SET status = $3, finished_at = clock_timestamp(), error = $4
        WHERE run_id = $1 AND step_index = $2 AND ${ownedBy('$5')} RETURNING *`,
      [runId, index, status, error, owner ?? null],
    );
    return ownedStep(runId, updated.rows[0], owner);
  }

  /** Ends the run, marks the steps it never reached skipped and hands its target to the next in line. */
  async finishRun(
    runId: string,
    outcome: { status: Exclude<RunStatus, 'queued' | 'running' | 'paused'>; error?: string; summary?: string },
    owner?: string,
  ): Promise<FinishedRun> {
    return inTransaction(this.db, async (client) => {
      const updated = await client.query<RunRow>(
        `UPDATE runs SET status = $2, error = $3, summary = $4, finished_at = clock_timestamp()
          WHERE id = $1 AND status IN ('queued', 'running', 'paused') AND ($5::text IS NULL OR worker_id = $5) RETURNING *`,
        [runId, outcome.status, outcome.error ?? null, outcome.summary ?? null, owner ?? null],
      );
      const row = updated.rows[0];
      if (!row) {
        const current = await client.query<RunRow>('SELECT * FROM runs WHERE id = $1', [runId]);
        return { run: runFromRow(current.rows[0] as RunRow), finished: false };
      }
      await client.query(
        `UPDATE run_steps SET status = CASE WHEN status IN ('running', 'paused') THEN $2 ELSE 'skipped' END, finished_at = coalesce(finished_at, clock_timestamp())
          WHERE run_id = $1 AND status IN ('pending', 'running', 'paused')`,
        [runId, outcome.status === 'cancelled' ? 'cancelled' : 'failed'],
      );
      const next = await releaseTarget(client, runId);
      const run = runFromRow(row);
      await this.hooks.onFinished?.(client, run);
      return { run, finished: true, ...(next ? { next } : {}) };
    });
  }

  /** Flags an active run for cancellation; undefined when there is no such active run. */
  async requestCancel(runId: string, by: string): Promise<RunRecord | undefined> {
    const result = await this.db.query<RunRow>(
      // A paused run has no worker: queued again, a worker closes it.
      `UPDATE runs SET cancel_requested = true, cancelled_by = coalesce(cancelled_by, $2),
              status = CASE WHEN status = 'paused' THEN 'queued' ELSE status END
        WHERE id = $1 AND status IN ('queued', 'running', 'paused') RETURNING *`,
      [runId, by],
    );
    const row = result.rows[0];
    return row ? runFromRow(row) : undefined;
  }

  async cancelState(runId: string): Promise<{ requested: boolean; by?: string | undefined }> {
    const result = await this.db.query<{ cancel_requested: boolean; cancelled_by: string | null }>(
      'SELECT cancel_requested, cancelled_by FROM runs WHERE id = $1',
      [runId],
    );
    const row = result.rows[0];
    return { requested: row?.cancel_requested ?? false, by: row?.cancelled_by ?? undefined };
  }

  /** Whether the run may start: it changes nothing, or it holds its target. */
  mayStart(runId: string): Promise<boolean> {
    return mayStart(this.db, runId);
  }

  /** Saves the status message's ts unless one is saved already; returns the ts that is saved. */
  async setStatusMessage(runId: string, ts: string): Promise<string> {
    const result = await this.db.query<{ status_message_ts: string }>(
      `UPDATE runs SET status_message_ts = coalesce(status_message_ts, $2) WHERE id = $1 RETURNING status_message_ts`,
      [runId, ts],
    );
    return result.rows[0]?.status_message_ts ?? ts;
  }

  /**
   * Targets whose hand-over was lost (held by an ended run, or free with runs waiting) are repaired;
   * returns the runs that were handed a target, to enqueue.
   */
  async repairTargets(): Promise<Array<{ id: string; requestId: string }>> {
    const stuck = await this.db.query<{ target: string }>(
      `SELECT t.target FROM run_targets t JOIN runs r ON r.id = t.run_id WHERE r.status NOT IN ('queued', 'running', 'paused')
       UNION
       SELECT DISTINCT r.target FROM runs r
        WHERE r.status = 'queued' AND r.target IS NOT NULL AND NOT EXISTS (SELECT 1 FROM run_targets t WHERE t.target = r.target)`,
    );
    const handed: Array<{ id: string; requestId: string }> = [];
    for (const { target } of stuck.rows) {
      const next = await inTransaction(this.db, (client) => repairTarget(client, target));
      const run = next ? await this.getRun(next) : undefined;
      if (run) handed.push({ id: run.id, requestId: run.requestId });
    }
    return handed;
  }

  /**
   * Active runs a worker should have in the queue: they may start now, or they wait for a target but
   * were cancelled (a worker must close them). Used to re-enqueue after a crash between write and enqueue.
   */
  async runsToEnqueue(limit = 500): Promise<Array<{ id: string; requestId: string; resumedCount: number }>> {
    const result = await this.db.query<{ id: string; request_id: string; resumed_count: number }>(
      `SELECT r.id, r.request_id, r.resumed_count FROM runs r
        WHERE r.status IN ('queued', 'running')
          AND (r.target IS NULL OR r.cancel_requested OR EXISTS (SELECT 1 FROM run_targets t WHERE t.run_id = r.id))
        ORDER BY r.created_at LIMIT $1`,
      [limit],
    );
    return result.rows.map((row) => ({ id: row.id, requestId: row.request_id, resumedCount: row.resumed_count }));
  }
}
