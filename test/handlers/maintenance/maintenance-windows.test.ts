import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { maintenancePolicySchema } from '../../../src/config/maintenance-policy.ts';
import { parsePolicy } from '../../../src/config/policy.ts';
import { allActions } from '../../../src/handlers/actions.ts';
import { renderActionList } from '../../../src/handlers/bot-commands/help-presenter.ts';
import { actionsByChapter } from '../../../src/handlers/monitoring/app-home.ts';
import { windowRunKind } from '../../../src/handlers/maintenance/window-run.ts';
import { CONTINUE, STOP, overrunQuestion } from '../../../src/handlers/maintenance/window-overrun.ts';
import { occurrenceId, occurrences } from '../../../src/handlers/maintenance/window-times.ts';
import type { WindowRunInput } from '../../../src/handlers/maintenance/window-input.ts';
import type { ActionDeps } from '../../../src/handlers/core/action-deps.ts';

const defaults = maintenancePolicySchema.parse(undefined);
const weekly = defaults.windows.weekly!;
const monthly = defaults.windows.monthly!;

describe('maintenance window policy', () => {
  it("defaults to the runbook's windows: weekly Sundays 02:00–04:00 UTC, monthly first Sunday 01:00–05:00 UTC, plans 24 h ahead", () => {
    expect(weekly).toMatchObject({
      cron: '0 2 * * 0',
      timezone: 'UTC',
      duration: 2 * 3600_000,
      announceBefore: 24 * 3600_000,
    });
    expect(monthly).toMatchObject({ cron: '0 1 * * 0#1', duration: 4 * 3600_000, announceBefore: 24 * 3600_000 });
    expect(weekly.steps).toEqual([
      'maintenance-on',
      'vacuum',
      'reindex',
      'logs-cleanup',
      'metrics-cleanup',
      'security-patches',
      'doctor',
      'maintenance-off',
    ]);
    expect(monthly.steps).toEqual([
      'full-backup',
      'verify-backup',
      'database-optimize',
      'certificates',
      'security-updates',
      'benchmark',
      'capacity-report',
    ]);
  });

  it('the example policy declares the same windows', async () => {
    const policy = parsePolicy(await readFile('config/eafix-policy.example.yml', 'utf8'));
    expect(policy.maintenance.windows).toEqual(defaults.windows);
    expect(policy.maintenance.securityPatches.source).toBe('maintenance/security-patches.yaml');
  });

  it('refuses a bad cron pattern, an unknown step and a step listed twice, naming the field', () => {
    const result = maintenancePolicySchema.safeParse({
      windows: {
        weekly: { cron: '0 2 * * funday' },
        nightly: { cron: '0 3 * * *', duration: '1h', steps: ['vacuum', 'vacuum'] },
        odd: { cron: '0 3 * * *', duration: '1h', steps: ['defrag'] },
        bare: { cron: '0 3 * * *' },
      },
    });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    expect(issues).toMatch(/windows\.weekly\.cron: not a cron pattern/);
    expect(issues).toContain('windows.nightly.steps: listed twice: vacuum');
    expect(issues).toMatch(/windows\.odd\.steps\.0: /);
    // A window of its own says what it runs and for how long; the runbook's two only say what differs.
    expect(issues).toMatch(/windows\.bare\.duration: /);
    expect(issues).toMatch(/windows\.bare\.steps: /);
  });

  it('a weekly or monthly entry overrides only what it names', () => {
    const policy = maintenancePolicySchema.parse({ windows: { monthly: { announceBefore: '48h' } } });
    expect(Object.keys(policy.windows)).toEqual(['monthly']);
    expect(policy.windows.monthly).toEqual({ ...monthly, announceBefore: 48 * 3600_000 });
  });
});

describe('window occurrences', () => {
  it('the next weekly window is the coming Sunday 02:00 UTC; one in progress is still the current one', () => {
    const monday = new Date('2026-11-30T10:00:00Z');
    expect(occurrences(weekly, monday, 2).map((o) => o.startsAt.toISOString())).toEqual([
      '2026-12-06T02:00:00.000Z',
      '2026-12-13T02:00:00.000Z',
    ]);
    const during = occurrences(weekly, new Date('2026-12-06T03:59:00Z'), 1)[0]!;
    expect(during.startsAt.toISOString()).toBe('2026-12-06T02:00:00.000Z');
    expect(during.endsAt.toISOString()).toBe('2026-12-06T04:00:00.000Z');
    const after = occurrences(weekly, new Date('2026-12-06T04:00:00Z'), 1)[0]!;
    expect(after.startsAt.toISOString()).toBe('2026-12-13T02:00:00.000Z');
    expect(occurrenceId('weekly', during.startsAt)).toBe('weekly@2026-12-06T02:00:00.000Z');
  });

  it('the monthly window is the first Sunday of each month, 01:00–05:00 UTC', () => {
    const starts = occurrences(monthly, new Date('2026-12-07T00:00:00Z'), 3).map((o) => o.startsAt.toISOString());
    expect(starts).toEqual(['2027-01-03T01:00:00.000Z', '2027-02-07T01:00:00.000Z', '2027-03-07T01:00:00.000Z']);
  });
});

describe('a window run', () => {
  it('runs the weekly steps in the runbook order, the monthly verification as the backups code does it', () => {
    expect(windowRunKind('weekly', defaults).steps.map((s) => s.id)).toEqual(weekly.steps);
    expect(windowRunKind('monthly', defaults).steps.map((s) => s.id)).toEqual([
      'full-backup',
      'check-backup',
      'test-restore',
      'cleanup',
      'report',
      'database-optimize',
      'certificates',
      'security-updates',
      'benchmark',
      'capacity-report',
    ]);
    expect(windowRunKind('weekly', defaults).target?.({ environment: 'production' } as WindowRunInput)).toBe(
      'maintenance:production',
    );
  });

  it('asks Continue / Stop and restore service only for a step that would end after the window', () => {
    const ctx = (now: string) =>
      ({
        deps: { now: () => new Date(now) } as unknown as ActionDeps,
        input: { window: 'weekly', endsAt: '2026-12-06T04:00:00.000Z' } as WindowRunInput,
      }) as Parameters<typeof overrunQuestion>[0];
    expect(
      overrunQuestion(ctx('2026-12-06T03:30:00Z'), 'Vacuum and analyse the database', 20 * 60_000),
    ).toBeUndefined();
    const asked = overrunQuestion(ctx('2026-12-06T03:50:00Z'), 'Vacuum and analyse the database', 20 * 60_000)!;
    expect(asked.question).toContain('it would end at 04:10 UTC, after the weekly window closes at 04:00 UTC');
    expect(asked.options.map((o) => [o.id, o.label])).toEqual([
      [CONTINUE, 'Continue'],
      [STOP, 'Stop and restore service'],
    ]);
    expect(asked.expiresInMs).toBe(15 * 60_000);
  });
});

describe('help and the App Home', () => {
  it('list the maintenance window actions in the Maintenance chapter', () => {
    const { text } = renderActionList(allActions);
    const chapter = text.slice(text.indexOf('*Maintenance*'), text.indexOf('*Security Incident Response*'));
    expect(chapter).toContain('`/eafix maintenance windows` —');
    expect(chapter).toContain('`/eafix maintenance run` —');
    const home = actionsByChapter({ registry: { actions: allActions } as ActionDeps['registry'] });
    expect(home.find((c) => c.chapter === 'Maintenance')?.actions).toEqual(
      expect.arrayContaining(['maintenance windows', 'maintenance run']),
    );
  });
});
