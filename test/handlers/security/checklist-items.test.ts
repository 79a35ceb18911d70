import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/audit/audit-log.ts';
import { reportsPolicySchema } from '../../../src/config/reports-policy.ts';
import {
  accessReviewItem,
  combineItems,
  prometheusItem,
  refusalsItem,
  type ChecklistResult,
} from '../../../src/handlers/security/checklist-items.ts';
import type { Prometheus } from '../../../src/handlers/monitoring/kpi-readings.ts';

const policy = reportsPolicySchema.parse({}).securityChecklist;
let id = 0;
const row = (action: string, outcome: string, userId = 'U0EVE'): AuditRecord => ({
  id: ++id,
  at: new Date(),
  requestId: `r${id}`,
  action,
  outcome,
  userId,
  prevHash: '',
  hash: '',
});
const prometheus = (value: number | undefined): Prometheus => ({
  url: 'http://prometheus',
  instant: async () => value,
  series: async () => [],
  range: async () => [],
  ready: async () => undefined,
});

describe('daily security checklist items', () => {
  it('counts refusals (denials, forged requests, stray clicks) against the threshold, not other outcomes', () => {
    const rows = [
      ...Array.from({ length: 11 }, () => row('rollback', 'rejected:permission_denied')),
      row('slack.signature-refused', 'rejected:bad_signature', ''),
      row('status', 'ok'),
      row('scale', 'rejected:invalid_arguments'),
    ];
    const item = refusalsItem(rows, policy);
    expect(item).toMatchObject({ status: 'fail', critical: false });
    expect(item.detail).toBe('12 refused request(s) (threshold 10): rollback ×11, slack.signature-refused ×1');
    expect(refusalsItem(rows.slice(0, 10), policy).status).toBe('pass');
  });

  it('counts the unsigned requests a sampled row stands for, not the row', () => {
    const sampled = { ...row('slack.signature-refused', 'rejected:bad_signature', ''), arguments: { count: 40 } };
    expect(refusalsItem([sampled], policy)).toMatchObject({
      status: 'fail',
      detail: '40 refused request(s) (threshold 10): slack.signature-refused ×40',
    });
  });

  it('flags repeated refusals of one person, forged requests and break-glass use for review', () => {
    const rows = [
      ...Array.from({ length: 5 }, () => row('trading stop', 'rejected:permission_denied', 'U0MALLORY')),
      row('trading stop', 'rejected:permission_denied', 'U0BOB'),
      row('slack.foreign-installation', 'rejected:foreign_installation', ''),
      row('break-glass', 'review-required', 'U0DAVE'),
    ];
    const item = accessReviewItem(rows, policy);
    expect(item.status).toBe('fail');
    expect(item.detail).toBe(
      '<@U0MALLORY> refused 5×; 1 forged, foreign or replayed request(s); 1 break-glass use(s) to review (`/eafix approvals review`)',
    );
    expect(accessReviewItem([row('status', 'ok')], policy)).toMatchObject({ status: 'pass' });
  });

  it('reads Prometheus checks against their bounds; no data or no Prometheus is unknown, never a pass', async () => {
    expect(await prometheusItem('backup-encryption', policy.backupEncryption, prometheus(0))).toMatchObject({
      status: 'fail',
      critical: true,
      detail: 'newest backup encrypted in every location (1 = yes): 0 (fails below 1)',
    });
    expect(await prometheusItem('backup-encryption', policy.backupEncryption, prometheus(1))).toMatchObject({
      status: 'pass',
      critical: false,
    });
    expect(await prometheusItem('security-updates', policy.securityUpdates, prometheus(2))).toMatchObject({
      status: 'fail',
      critical: false,
      detail: 'pending security update(s): 2 (fails above 0)',
    });
    expect(await prometheusItem('security-updates', policy.securityUpdates, prometheus(0))).toMatchObject({
      status: 'pass',
    });
    expect(await prometheusItem('intrusion-detection', policy.intrusionDetection, prometheus(0))).toMatchObject({
      status: 'fail',
      critical: true,
    });
    expect(await prometheusItem('access-review', policy.suspiciousAccess, prometheus(4))).toMatchObject({
      status: 'fail',
      critical: false,
      detail: 'suspicious accesses the platform flagged in 24 h: 4 (fails above 0)',
    });
    expect(await prometheusItem('intrusion-detection', policy.intrusionDetection, prometheus(undefined))).toMatchObject(
      {
        status: 'unknown',
        detail: 'unknown (no data for `min(eafix_ids_up)`)',
      },
    );
    expect(await prometheusItem('intrusion-detection', policy.intrusionDetection, undefined)).toMatchObject({
      status: 'unknown',
    });
  });

  it('treats NaN and infinities as unknown: NaN fails no bound and would otherwise pass', async () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY])
      expect(await prometheusItem('backup-encryption', policy.backupEncryption, prometheus(value))).toMatchObject({
        status: 'unknown',
        critical: false,
        detail: `unknown (\`min(eafix_backup_encrypted)\` answered ${value})`,
      });
  });

  it('says why when Prometheus fails, as unknown', async () => {
    const down: Prometheus = { ...prometheus(undefined), instant: () => Promise.reject(new Error('HTTP 503')) };
    expect(await prometheusItem('security-updates', policy.securityUpdates, down)).toEqual({
      id: 'security-updates',
      status: 'unknown',
      critical: false,
      detail: 'unknown (Prometheus: HTTP 503)',
    });
  });

  it('combines the bot’s and the platform’s access review: any failure fails, any unknown is unknown, else pass', () => {
    const item = (status: ChecklistResult['status'], critical = false): ChecklistResult => ({
      id: 'access-review',
      status,
      critical,
      detail: status,
    });
    const combined = (a: ChecklistResult, b: ChecklistResult) => combineItems(a, b, ['Bot', 'Platform']);
    expect(combined(item('pass'), item('pass'))).toMatchObject({ status: 'pass', detail: 'Bot: pass\nPlatform: pass' });
    expect(combined(item('pass'), item('unknown')).status).toBe('unknown');
    expect(combined(item('unknown'), item('fail')).status).toBe('fail');
    expect(combined(item('fail'), item('pass')).status).toBe('fail');
    expect(combined(item('pass'), item('fail', true))).toMatchObject({ status: 'fail', critical: true });
  });
});
