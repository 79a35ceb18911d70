import type { RunRecord, RunStatus } from './run-record.ts';

/** `paused` only where a reader counts it (digests predate pauses). */
export type RunCounts = Record<Exclude<RunStatus, 'paused'>, number> & { paused?: number };

/** What digests and the App Home ask of the run history, each in one query however many runs there are (PgRunStats). */
export interface RunStats {
  /** Runs created since `since`, by status. */
  countSince(since: Date): Promise<RunCounts>;
  /** The newest deploy or rollback run for the environment (runs without an environment count for all). */
  lastChange(environment: string): Promise<RunRecord | undefined>;
  /** A person's newest runs. */
  recentBy(user: string, limit: number): Promise<RunRecord[]>;
}
