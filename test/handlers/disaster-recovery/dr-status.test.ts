import { describe, expect, it } from 'vitest';
import { drPolicySchema } from '../../../src/config/dr-policy.ts';
import type { VeleroStatus } from '../../../src/cluster/cluster.ts';
import { backupNameAt, formatDuration, isGoodBackup } from '../../../src/handlers/disaster-recovery/backup-naming.ts';
import { drillLines, objectivesTable } from '../../../src/handlers/disaster-recovery/drill-report.ts';
import type { DrRecord } from '../../../src/handlers/disaster-recovery/dr-records.ts';
import { drStatusText } from '../../../src/handlers/disaster-recovery/dr-status.ts';

const policy = drPolicySchema.parse({});
const now = new Date('2026-11-30T08:00:00Z');
const H = 3600_000;

const backup = (over: Partial<VeleroStatus> = {}): VeleroStatus => ({
  kind: 'Backup',
  name: 'eafix-backup-20261130-020000',
  phase: 'Completed',
  terminal: true,
  succeeded: true,
  errors: 0,
  warnings: 0,
  validationErrors: [],
  completedAt: new Date(now.getTime() - 6 * H).toISOString(),
  includedNamespaces: ['eafix-production'],
  labels: {},
  ...over,
});

const drill = (over: Partial<DrRecord>): DrRecord => ({
  runId: 'run_1',
  kind: 'drill',
  environment: 'production',
  passed: true,
  detail: '',
  recoveryMs: 12 * 60_000,
  rtoMs: 30 * 60_000,
  rpoMs: 5 * 60_000,
  backupAgeMs: 2 * H,
  startedAt: new Date(now.getTime() - 2 * H),
  finishedAt: new Date(now.getTime() - H),
  ...over,
});

describe('Disaster Recovery wording', () => {
  it('names backups as the runbook does, and only a Completed backup without errors is good', () => {
    expect(backupNameAt(new Date('2026-11-30T02:03:04Z'))).toBe('eafix-backup-20261130-020304');
    expect(isGoodBackup(backup())).toBe(true);
    expect(isGoodBackup(backup({ phase: 'PartiallyFailed', errors: 2 }))).toBe(false);
    expect(isGoodBackup(backup({ errors: 1 }))).toBe(false);
    expect(formatDuration(90 * 60_000)).toBe('1h 30m');
    expect(formatDuration(35 * 24 * H)).toBe('35d');
  });

  it('the RTO table marks each objective met or missed from the measured recovery and backup age', () => {
    const table = objectivesTable(policy.objectives, 12 * 60_000, 10 * 60_000).split('\n');
    expect(table).toEqual([
      ':x: Service Failure: RTO 5m :x: RPO 0s',
      ':white_check_mark: Database Corruption: RTO 30m :x: RPO 5m',
      ':white_check_mark: Data Center Outage: RTO 2h :white_check_mark: RPO 15m',
      ':white_check_mark: Complete Infrastructure Loss: RTO 8h :white_check_mark: RPO 1h',
    ]);
  });

  it('drills are listed newest first with the trend from the drill before', () => {
    const lines = drillLines([drill({ recoveryMs: 15 * 60_000 }), drill({ recoveryMs: 12 * 60_000, passed: false })]);
    expect(lines[0]).toContain('recovered in 15m (RTO 30m met) (:arrow_up: 3m slower)');
    expect(lines[1]).toMatch(/^:red_circle:/);
  });

  it('the digest and App Home show the newest backup, verification and drill against their targets', () => {
    const text = drStatusText({
      at: now,
      lastBackup: backup(),
      lastVerified: drill({
        kind: 'verification',
        backupName: 'eafix-backup-20261130-020000',
        finishedAt: new Date(now.getTime() - 30 * H),
      }),
      lastDrill: undefined,
      targets: policy.targets,
    });
    expect(text.split('\n')).toEqual([
      '*Disaster recovery*',
      ':large_green_circle: last backup `eafix-backup-20261130-020000` Completed, 6h old (target 1d 2h)',
      ':red_circle: last verified `eafix-backup-20261130-020000` 1d 6h ago (target 1d 2h)',
      ':red_circle: no DR drill yet (target 35d)',
    ]);
  });
});
