import type { SandboxWorld } from './sandbox-world.ts';

/** What went wrong in the bot since the previous look, as console text. */
export interface NewFailures {
  /** Runs that failed: shown and counted against the line. */
  failedRuns: string[];
  /** Audit entries recording a refusal or an error: counted against the line. */
  refusals: string[];
}

/** Watches the bot's runs and audit log for failures and refusals, reporting each once. */
export class BotFailureWatch {
  private readonly seenFailedRuns = new Set<string>();
  private lastAuditId = 0;

  constructor(private readonly world: SandboxWorld) {}

  async sinceLastLook(): Promise<NewFailures> {
    const pool = this.world.bot.pool;
    const failedRuns: string[] = [];
    const failed = await pool.query<{ id: string; kind: string; error: string | null }>(
      `SELECT id, kind, error FROM runs WHERE status = 'failed'`,
    );
    for (const run of failed.rows) {
      if (this.seenFailedRuns.has(run.id)) continue;
      this.seenFailedRuns.add(run.id);
      failedRuns.push(`run ${run.id} (${run.kind}) failed${run.error ? `: ${run.error}` : ''}`);
    }
    const refusals: string[] = [];
    const audit = await pool.query<{ id: string; action: string; outcome: string }>(
      `SELECT id, action, outcome FROM audit_log WHERE id > $1 ORDER BY id`,
      [this.lastAuditId],
    );
    for (const row of audit.rows) {
      this.lastAuditId = Math.max(this.lastAuditId, Number(row.id));
      if (row.outcome === 'error' || row.outcome.startsWith('rejected')) refusals.push(`${row.action}: ${row.outcome}`);
    }
    return { failedRuns, refusals };
  }
}
