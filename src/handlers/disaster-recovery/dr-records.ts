/** What backup verifications and DR drills found, kept for `dr drills`, the digest and the App Home. */
export type DrRecordKind = 'verification' | 'drill';

export interface DrRecord {
  runId: string;
  kind: DrRecordKind;
  environment: string;
  backupName?: string | undefined;
  passed: boolean;
  detail: string;
  /** How old the backup was when the restore began (the data a real recovery would lose). */
  backupAgeMs?: number | undefined;
  /** Drills: from the start of the restore until the restored platform passed its tests. */
  recoveryMs?: number | undefined;
  rtoMs?: number | undefined;
  rpoMs?: number | undefined;
  startedAt: Date;
  finishedAt: Date;
}

export interface DrRecords {
  /** Keeps a run's finding; a second save for the same run (a resumed step) changes nothing. */
  save(record: DrRecord): Promise<void>;
  /** Newest first. */
  list(kind: DrRecordKind, limit: number): Promise<DrRecord[]>;
  /** The newest passed record of a kind, if any. */
  lastPassed(kind: DrRecordKind): Promise<DrRecord | undefined>;
}
