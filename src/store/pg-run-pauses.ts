/**
 * The pauses of runs in PostgreSQL (run_pauses): a run paused for a decision, the first decision taken
 * on it, its escalation. Each change is written with the run's status in one transaction, and with the
 * message that shows it (OnPauseChanged, the Slack outbox), so the buttons are posted only once the
 * pause is stored and a decision is shown only once it is.
 */
import { inTransaction } from './database.ts';
import type { Pool, PoolClient } from './database.ts';
import { newId } from './row-ids.ts';
import type { PauseOption } from '../jobs/run-definition.ts';
import type { NewPause, RunPause, RunRecord, RunStatus } from '../jobs/run-record.ts';
import type { PauseDecisionWrite } from '../jobs/run-store.ts';
import { runFromRow, type RunRow } from './run-rows.ts';

/** Written in the transaction that pauses, decides or escalates (the pause's thread message). */
export type OnPauseChanged = (client: PoolClient, run: RunRecord, pause: RunPause) => Promise<void>;

interface PauseRow {
  id: string;
  run_id: string;
  step_index: number;
  step_id: string;
  cause: 'step' | 'failure';
  question: string;
  options: PauseOption[];
  error: string | null;
  created_at: Date;
  expires_at: Date;
  option_id: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  escalated_at: Date | null;
  escalation: string | null;
}

function pauseFromRow(row: PauseRow): RunPause {
  return {
    id: row.id,
    runId: row.run_id,
    stepIndex: row.step_index,
    stepId: row.step_id,
    cause: row.cause,
    question: row.question,
    options: row.options,
    error: row.error ?? undefined,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decision:
      row.option_id && row.decided_by && row.decided_at
        ? { optionId: row.option_id, decidedBy: row.decided_by, decidedAt: row.decided_at }
        : undefined,
    escalatedAt: row.escalated_at ?? undefined,
    escalation: row.escalation ?? undefined,
  };
}

export class PgRunPauses {
  constructor(
    private readonly db: Pool,
    private readonly onChanged?: OnPauseChanged,
  ) {}

  /**
   * Given an `owner`, only while the run is that worker's (see RunStore.startRun); never once a cancel was
   * requested (a paused run holds its target while it waits: a cancelled one must end instead).
   */
  pauseRun(runId: string, index: number, pause: NewPause, owner?: string): Promise<RunPause | undefined> {
    return inTransaction(this.db, async (client) => {
      const run = await client.query<RunRow>(
        `UPDATE runs SET status = 'paused' WHERE id = $1 AND status = 'running' AND NOT cancel_requested AND ($2::text IS NULL OR worker_id = $2) RETURNING *`,
        [runId, owner ?? null],
      );
      const runRow = run.rows[0];
      if (!runRow) return undefined;
      const step = await client.query<{ step_id: string }>(
        `UPDATE run_steps SET status = 'paused', error = coalesce($3, error) WHERE run_id = $1 AND step_index = $2 RETURNING step_id`,
        [runId, index, pause.error ?? null],
      );
      const inserted = await client.query<PauseRow>(
        `INSERT INTO run_pauses (id, run_id, step_index, step_id, cause, question, options, error, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [
          newId('pause'),
          runId,
          index,
          step.rows[0]?.step_id ?? '',
          pause.cause,
          pause.question,
          JSON.stringify(pause.options),
          pause.error ?? null,
          pause.expiresAt,
        ],
      );
      const stored = pauseFromRow(inserted.rows[0] as PauseRow);
      await this.onChanged?.(client, runFromRow(runRow), stored);
      return stored;
    });
  }

  decide(pauseId: string, optionId: string, by: string): Promise<PauseDecisionWrite | undefined> {
    return inTransaction(this.db, async (client) => {
      // The row lock orders two clicks: the second sees the first's decision.
      const current = await client.query<PauseRow>('SELECT * FROM run_pauses WHERE id = $1 FOR UPDATE', [pauseId]);
      const row = current.rows[0];
      if (!row) return undefined;
      if (row.decided_at) return { pause: pauseFromRow(row), decided: false };
      // A run cancelled (or ended) while it waited takes no decision: the click must not say it resumes.
      const waiting = await client.query<{ status: RunStatus; cancel_requested: boolean }>(
        'SELECT status, cancel_requested FROM runs WHERE id = $1 FOR UPDATE',
        [row.run_id],
      );
      const waitingRun = waiting.rows[0];
      if (waitingRun?.status !== 'paused')
        return {
          pause: pauseFromRow(row),
          decided: false,
          runStatus: waitingRun?.status,
          runCancelled: waitingRun?.cancel_requested,
        };
      const updated = await client.query<PauseRow>(
        `UPDATE run_pauses SET option_id = $2, decided_by = $3, decided_at = clock_timestamp() WHERE id = $1 RETURNING *`,
        [pauseId, optionId, by],
      );
      const run = await client.query<RunRow>(
        `UPDATE runs SET status = CASE WHEN status = 'paused' THEN 'queued' ELSE status END WHERE id = $1 RETURNING *`,
        [row.run_id],
      );
      const pause = pauseFromRow(updated.rows[0] as PauseRow);
      await this.onChanged?.(client, runFromRow(run.rows[0] as RunRow), pause);
      return { pause, decided: true };
    });
  }

  async getPause(pauseId: string): Promise<RunPause | undefined> {
    const result = await this.db.query<PauseRow>('SELECT * FROM run_pauses WHERE id = $1', [pauseId]);
    const row = result.rows[0];
    return row ? pauseFromRow(row) : undefined;
  }

  async latestPause(runId: string): Promise<RunPause | undefined> {
    const result = await this.db.query<PauseRow>(
      'SELECT * FROM run_pauses WHERE run_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1',
      [runId],
    );
    const row = result.rows[0];
    return row ? pauseFromRow(row) : undefined;
  }

  async expiredPauses(now: Date, limit = 100): Promise<RunPause[]> {
    const result = await this.db.query<PauseRow>(
      `SELECT p.* FROM run_pauses p JOIN runs r ON r.id = p.run_id
        WHERE p.decided_at IS NULL AND p.escalated_at IS NULL AND p.expires_at <= $1 AND r.status = 'paused'
        ORDER BY p.expires_at LIMIT $2`,
      [now, limit],
    );
    return result.rows.map(pauseFromRow);
  }

  markEscalated(pauseId: string, escalation: string): Promise<boolean> {
    return inTransaction(this.db, async (client) => {
      const updated = await client.query<PauseRow>(
        `UPDATE run_pauses SET escalated_at = clock_timestamp(), escalation = $2
          WHERE id = $1 AND decided_at IS NULL AND escalated_at IS NULL RETURNING *`,
        [pauseId, escalation],
      );
      const row = updated.rows[0];
      if (!row) return false;
      const run = await client.query<RunRow>('SELECT * FROM runs WHERE id = $1', [row.run_id]);
      await this.onChanged?.(client, runFromRow(run.rows[0] as RunRow), pauseFromRow(row));
      return true;
    });
  }
}
