/**
 * Maintenance window occurrences as the windows' actions and schedule see them (PgWindowRecords). Each
 * state change is a conditional write: whoever gets `true` (or the row) back is the one who acts on it.
 */
export type WindowState = 'announced' | 'approved' | 'running' | 'skipped';

export interface WindowRecord {
  /** `<window>@<start ISO>` for a scheduled occurrence, `<window>@now-<request id>` on demand. */
  id: string;
  window: string;
  environment: string;
  startsAt: Date;
  endsAt: Date;
  onDemand: boolean;
  state: WindowState;
  approvalId?: string | undefined;
  approvedBy: string[];
  runId?: string | undefined;
  announcedAt: Date;
}

export type NewWindowRecord = Pick<
  WindowRecord,
  'id' | 'window' | 'environment' | 'startsAt' | 'endsAt' | 'onDemand' | 'state' | 'announcedAt'
> & {
  approvalId?: string | undefined;
  runId?: string | undefined;
  approvedBy?: string[];
};

export interface WindowRecords {
  /** Inserts the occurrence unless it exists; true for the one caller that inserted it. */
  claim(record: NewWindowRecord): Promise<boolean>;
  get(id: string): Promise<WindowRecord | undefined>;
  /** Records the approval request that asks for it (posted after the claim). */
  attachApproval(id: string, approvalId: string): Promise<void>;
  /**
   * announced → approved, recording the request that was approved (a fresh one after a superseded plan:
   * its thread is where the run reports); false when it was not waiting (skipped, already approved).
   */
  approve(id: string, approvedBy: string[], approvalId?: string): Promise<boolean>;
  /** approved → running with its run; false when it was not approved or already running. */
  markRunning(id: string, runId: string): Promise<boolean>;
  /** announced → skipped, when the window opened unapproved; true for the one caller that skipped it. */
  skip(id: string): Promise<boolean>;
  /** The newest occurrences of a window, newest first. */
  recent(window: string, limit: number): Promise<WindowRecord[]>;
}
