import { describe, expect, it } from 'vitest';
import { digestsSchema } from '../../../src/config/monitoring-policy.ts';
import {
  drSiteCheck,
  healthCheck,
  OVERDUE_AFTER_MS,
  permissionChecks,
  prometheusChecks,
  requiredAccess,
  scheduleChecks,
} from '../../../src/handlers/monitoring/doctor-checks.ts';
import { doctorReport } from '../../../src/handlers/monitoring/doctor.ts';
import { deployment, readings } from './digest-fixtures.ts';

const now = new Date('2026-11-24T08:00:30Z');
const digests = digestsSchema.parse([
  { name: 'daily', cron: '0 8 * * 1-5', timezone: 'Europe/London', channel: 'eafix-ops' },
  { name: 'pulse', cron: '* * * * *', channel: 'eafix-ops', enabled: false },
]);

describe('doctor checks', () => {
  it('permissions: allowed verbs in one passing row, one failing row with the RBAC rule per denied verb', () => {
    const results = requiredAccess.map((c) => ({
      ...c,
      group: c.resource === 'deployments' ? 'apps' : '',
      allowed: !(c.verb === 'get' && c.subresource === 'log'),
      reason: 'r',
    }));
    const rows = permissionChecks(results, 'eafix-production');
    expect(rows[0]).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(`${requiredAccess.length - 1} of ${requiredAccess.length} allowed`),
    });
    expect(rows[1]).toMatchObject({ name: 'Kubernetes permission: get pods/log', status: 'fail' });
    expect(rows[1]?.advice).toContain('apiGroups [""], resources ["pods/log"], verbs ["get"]');
    expect(
      permissionChecks(
        results.map((r) => ({ ...r, allowed: true })),
        'ns',
      ),
    ).toEqual([expect.objectContaining({ status: 'pass' })]);
  });

  it('deployment health: pass, warn when degraded, fail when a deployment is down or its rollout failed', () => {
    expect(healthCheck([deployment('a', 2, 2)], 'production').status).toBe('pass');
    expect(healthCheck([deployment('a', 1, 2)], 'production')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('a 1/2'),
    });
    expect(healthCheck([deployment('a', 0, 2)], 'production')).toMatchObject({
      status: 'fail',
      advice: expect.stringContaining('/eafix pods a'),
    });
    expect(healthCheck([deployment('a', 2, 2, { progressDeadlineExceeded: true })], 'production').status).toBe('fail');
    expect(healthCheck([], 'production').status).toBe('warn');
  });

  it('prometheus: warn when not configured, fail when down, warn when queries have no data', () => {
    expect(prometheusChecks(false, undefined, { ok: true }, [])[0]).toMatchObject({
      status: 'warn',
      advice: expect.stringContaining('PROMETHEUS_URL'),
    });
    expect(prometheusChecks(true, 'http://p', { ok: false, reason: 'could not be reached' }, [])[0]).toMatchObject({
      status: 'fail',
    });
    expect(prometheusChecks(true, 'http://p', { ok: true }, readings())[0]?.status).toBe('pass');
    expect(
      prometheusChecks(true, 'http://p', { ok: true }, readings({ disk_usage_percent: null }, 'no data'))[0],
    ).toMatchObject({ status: 'warn', detail: expect.stringContaining('Disk usage (no data)') });
  });

  it('schedules: pass when due in the future, warn when the next run is in the past, fail when missing', () => {
    const future = [
      { id: 'daily', pattern: '0 8 * * 1-5', tz: 'Europe/London', next: new Date('2026-11-25T08:00:00Z') },
    ];
    expect(scheduleChecks(digests, future, now)).toEqual([
      expect.objectContaining({ name: 'Digest schedule: daily', status: 'pass' }),
      expect.objectContaining({ name: 'Digest schedule: pulse', status: 'pass', detail: 'disabled in the policy' }),
    ]);
    const overdue = [{ ...future[0]!, next: new Date(now.getTime() - OVERDUE_AFTER_MS - 1) }];
    expect(scheduleChecks(digests, overdue, now)[0]).toMatchObject({
      status: 'warn',
      advice: expect.stringContaining('Is a worker running'),
    });
    // Just due: a worker is about to take it.
    expect(scheduleChecks(digests, [{ ...future[0]!, next: new Date(now.getTime() - 1_000) }], now)[0]?.status).toBe(
      'pass',
    );
    expect(scheduleChecks(digests, [], now)[0]).toMatchObject({
      status: 'fail',
      advice: expect.stringContaining('Start a worker'),
    });
    const changed = [{ ...future[0]!, pattern: '0 9 * * *' }];
    expect(scheduleChecks(digests, changed, now)[0]).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('policy says 0 8 * * 1-5'),
    });
    const stray = scheduleChecks(
      digests,
      [...future, { id: 'old', pattern: '* * * * *', next: now }, { id: 'pulse', pattern: '* * * * *', next: now }],
      now,
    );
    expect(stray).toContainEqual(expect.objectContaining({ name: 'Digest schedule: old', status: 'warn' }));
    expect(stray).toContainEqual(
      expect.objectContaining({
        name: 'Digest schedule: pulse',
        status: 'warn',
        detail: 'disabled in the policy but still scheduled',
      }),
    );
  });

  it('report: a pass/warn/fail list with advice under each failure', () => {
    const report = doctorReport('production', [
      { name: 'Slack', status: 'pass', detail: 'ok' },
      { name: 'Prometheus', status: 'fail', detail: 'down', advice: 'Start it.' },
    ]);
    expect(report.text).toBe('EAFIX doctor (production): 1 pass, 0 warn, 1 fail');
    expect(JSON.stringify(report.blocks)).toContain(':x: *Prometheus* — down\\n        ↳ Start it.');
  });
});

describe('drSiteCheck', () => {
  it("warns while the runbook's example Route 53 zone is configured, and passes once a real one is", () => {
    expect(drSiteCheck({ environment: 'dr', hostedZoneId: 'Z123456789' })).toMatchObject({
      status: 'warn',
      advice: expect.stringContaining('disasterRecovery.site.hostedZoneId'),
    });
    expect(drSiteCheck({ environment: 'dr', hostedZoneId: 'Z0EAFIXPROD42' })).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('fails over to dr through Route 53 zone Z0EAFIXPROD42'),
    });
  });
});
