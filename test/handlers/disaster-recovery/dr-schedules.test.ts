import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/app-error.ts';
import { drPolicySchema } from '../../../src/config/dr-policy.ts';
import type { ActionDeps } from '../../../src/handlers/core/action-deps.ts';
import { onDrScheduleTick } from '../../../src/handlers/disaster-recovery/dr-schedules.ts';

/** The schedule's deps with the environment's backup target held by another run. */
function busyDeps(
  active: { id: string; action: string; target: string; status: string }[] = [],
  audit: (entry: { outcome: string }) => Promise<void> = async () => undefined,
) {
  const sent: { key?: string; text: string }[] = [];
  const order: string[] = [];
  let started = 0;
  const deps = {
    audit: {
      record: async (entry: { outcome: string; detail?: string }) => {
        await audit(entry);
        order.push(`audit ${entry.outcome}: ${entry.detail}`);
      },
    },
    dr: { policy: drPolicySchema.parse({ hourlyBackup: { enabled: true } }) },
    channels: { ops: 'C0OPS' },
    notifier: { send: async (message: { key?: string; text: string }) => void sent.push(message) },
    runs: {
      list: async () => active,
      start: async () => {
        started += 1;
        order.push('run');
        throw new AppError('target_busy', 'backup:production is already being changed by run run_0123456789ab.');
      },
    },
  } as unknown as ActionDeps;
  return { deps, sent, order, started: () => started };
}

describe('backup schedule ticks', () => {
  it('a tick that finds the previous backup still running is skipped and says so in the ops channel', async () => {
    const { deps, sent } = busyDeps();
    const due = new Date(Date.UTC(2026, 11, 1, 10, 0, 0));
    await expect(onDrScheduleTick(deps, 'hourly-backup', due)).rejects.toMatchObject({ code: 'target_busy' });
    expect(sent.at(-1)).toEqual({
      key: `schedule-hourly-backup-${due.getTime()}:skipped`,
      channel: 'C0OPS',
      text: ':warning: Scheduled backup eafix-backup-20261201-100000-hourly (hourly-backup) skipped: backup:production is already being changed by run run_0123456789ab.',
    });
  });

  it('skips a tick, saying why, while a deploy, rollback or database rollback is changing the environment', async () => {
    const { deps, sent, started } = busyDeps([
      { id: 'run_aaaaaaaaaaaa', action: 'scale', target: 'service:production/risk-manager', status: 'running' },
      { id: 'run_bbbbbbbbbbbb', action: 'rollback database', target: 'env:production', status: 'paused' },
    ]);
    const due = new Date(Date.UTC(2026, 11, 1, 2, 0, 0));
    await onDrScheduleTick(deps, 'full-backup', due);
    expect(started()).toBe(0);
    expect(sent).toEqual([
      {
        key: `schedule-full-backup-${due.getTime()}:skipped`,
        channel: 'C0OPS',
        text: ':warning: Scheduled backup eafix-backup-20261201-020000-full (full-backup) skipped: run run_bbbbbbbbbbbb (`rollback database`) is changing production, and a backup taken meanwhile would not be a clean one.',
      },
    ]);
  });

  it('audits a scheduled run before it is created: no audit row, no run', async () => {
    const due = new Date(Date.UTC(2026, 11, 1, 10, 0, 0));
    const audited = busyDeps();
    await expect(onDrScheduleTick(audited.deps, 'hourly-backup', due)).rejects.toMatchObject({ code: 'target_busy' });
    expect(audited.order).toEqual([
      'audit started: scheduled hourly-backup, due 2026-12-01T10:00:00.000Z',
      'run',
      // Closed, as a command's row is: a refused tick is not mistaken for a run.
      'audit rejected:target_busy: backup:production is already being changed by run run_0123456789ab.',
    ]);

    const unaudited = busyDeps([], async () => {
      throw new Error('audit log unavailable');
    });
    await expect(onDrScheduleTick(unaudited.deps, 'hourly-backup', due)).rejects.toThrow('audit log unavailable');
    expect(unaudited.started()).toBe(0);
  });

  it('ships the backup schedules off: an upgrade starts no backups until the policy turns them on', () => {
    const policy = drPolicySchema.parse({});
    expect([policy.fullBackup.enabled, policy.hourlyBackup.enabled]).toEqual([false, false]);
    expect(policy.fullBackup.cron).toBe('0 2 * * *');
    expect(policy.hourlyBackup.cron).toBe('0 9-17 * * 1-5');
  });
});
