import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type TestWorld } from '../support/world.ts';
import { ephemeralText } from '../support/approvals.ts';
import { onDrScheduleTick } from '../../src/handlers/disaster-recovery/dr-schedules.ts';
import { eventually } from '../support/eventually.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('dr_backups', {
    clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10, veleroRunMs: 150, namespaceDeletionMs: 50 },
  });
});
afterAll(async () => {
  await world?.stop();
});

interface RunRow {
  id: string;
  status: string;
  error: string | null;
}

async function finishedRun(action: string, after: Date): Promise<RunRow> {
  return eventually(
    async () => {
      const { rows } = await world.bot.pool.query<RunRow & { created_at: Date }>(
        `SELECT id, status, error, created_at FROM runs WHERE action = $1 AND created_at > $2 ORDER BY created_at DESC LIMIT 1`,
        [action, after],
      );
      const run = rows[0];
      return run && ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
    },
    `a finished ${action} run`,
    60_000,
  );
}

async function command(text: string, user = 'alice'): Promise<Date> {
  const at = (await world.bot.pool.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now;
  await world.driver.command({ user, channel: ops, text });
  return at;
}

const stepOutput = async (runId: string, step: string) =>
  (
    await world.bot.pool.query<{ output: Record<string, unknown> | null }>(
      'SELECT output FROM run_steps WHERE run_id = $1 AND step_id = $2',
      [runId, step],
    )
  ).rows[0]?.output;

const incidentsTitled = async (title: string) =>
  Number(
    (await world.bot.pool.query<{ n: string }>('SELECT count(*) AS n FROM incidents WHERE title = $1', [title])).rows[0]
      ?.n,
  );

const restoreTestGone = async () => (await world.bot.deps.cluster.namespacePhase('eafix-restore-test')) === undefined;

describe('backups (runbook: Backup Strategy, Backup Verification)', () => {
  it('backup create takes a Velero backup of production that completes, and backup list shows it', async () => {
    const at = await command('backup create --name eafix-backup-e2e-good --reason "before the schema change"');
    const run = await finishedRun('backup create', at);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const backup = await world.bot.deps.cluster.getBackup('eafix-backup-e2e-good');
    expect(backup).toMatchObject({ phase: 'Completed', errors: 0, includedNamespaces: ['eafix-production'] });
    expect(backup?.labels['eafix.io/environment']).toBe('production');

    const seen = world.slack.ephemerals('alice').length;
    await world.driver.command({ user: 'alice', channel: ops, text: 'backup list' });
    const reply = await world.slack.waitFor(
      () => (ephemeralText(world, 'alice', seen).includes('Backups') ? ephemeralText(world, 'alice', seen) : undefined),
      { description: 'the backup list' },
    );
    expect(reply).toContain('eafix-backup-e2e-good');
    expect(reply).toContain('Completed');
  });

  it('backup verify restores into eafix-restore-test, runs the check there, deletes the namespace and posts the result', async () => {
    const at = await command('backup verify eafix-backup-e2e-good');
    const run = await finishedRun('backup verify', at);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const restores = world.cluster.writes.filter((w) => w.method === 'POST' && w.path.includes('/restores'));
    expect(restores).toHaveLength(1);
    expect(JSON.stringify(restores[0]?.body)).toContain('"namespaceMapping":{"eafix-production":"eafix-restore-test"}');
    const restoreName = (restores[0]?.body as { metadata?: { name?: string } }).metadata?.name ?? '';
    expect(await world.bot.deps.cluster.getRestore(restoreName)).toMatchObject({ phase: 'Completed', errors: 0 });
    const check = world.cluster.writes.find((w) => w.method === 'POST' && w.path.endsWith('/jobs'));
    expect(JSON.stringify(check?.body)).toContain('--namespace=eafix-restore-test');
    expect(await restoreTestGone()).toBe(true);
    const record = await world.bot.deps.dr.records.lastPassed('verification');
    expect(record).toMatchObject({ runId: run.id, backupName: 'eafix-backup-e2e-good', passed: true });
    await world.slack.waitFor(
      (emu) => emu.messages(ops).find((m) => m.text.includes('Backup integrity verified: eafix-backup-e2e-good')),
      { description: 'the verification posted to the ops channel' },
    );
  });

  it('a failing check fails the verification, still deletes the scratch namespace, and opens the incident', async () => {
    world.cluster.workloads.behaviours.register({
      argv: ['eafix-cli', 'database', 'verify'],
      behaviour: { stderr: ['ERROR row counts differ in orders'], stdout: ['{"ok":false}'], exitCode: 1 },
      times: 1,
    });
    const at = await command('backup verify --latest');
    const run = await finishedRun('backup verify', at);
    expect(run.status).toBe('failed');
    expect(run.error).toContain('CRITICAL: Backup integrity check failed for eafix-backup-e2e-good');
    expect(await restoreTestGone()).toBe(true);
    expect((await stepOutput(run.id, 'test-restore'))?.restored).toBe(true);
    expect(await incidentsTitled('CRITICAL: Backup integrity check failed for eafix-backup-e2e-good')).toBe(1);
  });

  it('a PartiallyFailed backup is never verified: no restore is tried, and the incident opens exactly once', async () => {
    world.cluster.workloads.velero.injectFailure('backup', {
      phase: 'PartiallyFailed',
      errors: 2,
      name: 'eafix-backup-e2e-partial',
    });
    const created = await finishedRun(
      'backup create',
      await command('backup create --name eafix-backup-e2e-partial --reason "nightly"'),
    );
    expect(created.status).toBe('failed');
    expect(created.error).toContain('PartiallyFailed (2 error(s))');

    const restoresBefore = world.cluster.writes.filter((w) => w.method === 'POST' && w.path.includes('/restores'));
    const first = await finishedRun('backup verify', await command('backup verify --latest'));
    const second = await finishedRun('backup verify', await command('backup verify eafix-backup-e2e-partial'));
    for (const run of [first, second]) {
      expect(run.status).toBe('failed');
      expect(run.error).toContain('PartiallyFailed');
      expect((await stepOutput(run.id, 'check-backup'))?.good).toBe(false);
    }
    const restoresAfter = world.cluster.writes.filter((w) => w.method === 'POST' && w.path.includes('/restores'));
    expect(restoresAfter).toHaveLength(restoresBefore.length);
    expect(await incidentsTitled('CRITICAL: Backup integrity check failed for eafix-backup-e2e-partial')).toBe(1);
    const record = await world.bot.deps.dr.records.lastPassed('verification');
    expect(record?.backupName).toBe('eafix-backup-e2e-good');
  });
});

describe('the daily backup verification schedule', () => {
  it('starts one run per tick whichever replica gets it, posts to the ops channel, and a bad backup opens one incident', async () => {
    world.cluster.workloads.velero.injectFailure('backup', {
      phase: 'PartiallyFailed',
      name: 'eafix-backup-e2e-nightly',
    });
    await finishedRun(
      'backup create',
      await command('backup create --name eafix-backup-e2e-nightly --reason "nightly"'),
    );
    const title = 'CRITICAL: Backup integrity check failed for eafix-backup-e2e-nightly';
    const due = new Date(Date.UTC(2026, 10, 30, 6, 0, 0));
    const { deps } = world.bot;
    // Two replicas handling the same tick, and the next day's tick finding the same bad backup.
    const [a, b] = await Promise.all([
      onDrScheduleTick(deps, 'verification', due).then(() => runsOfTick(due)),
      onDrScheduleTick(deps, 'verification', due).then(() => runsOfTick(due)),
    ]);
    expect(a).toEqual(b);
    expect(a).toHaveLength(1);
    const nextDay = new Date(due.getTime() + 24 * 3600_000);
    await onDrScheduleTick(deps, 'verification', nextDay);
    for (const tick of [due, nextDay]) {
      const [runId] = await runsOfTick(tick);
      const run = await eventually(async () => {
        const row = (await world.bot.pool.query<RunRow>('SELECT id, status, error FROM runs WHERE id = $1', [runId]))
          .rows[0];
        return row && ['succeeded', 'failed'].includes(row.status) ? row : undefined;
      }, 'the scheduled run to finish');
      expect(run.status).toBe('failed');
      expect(run.error).toContain(title);
    }
    expect(await incidentsTitled(title)).toBe(1);
    await world.slack.waitFor(
      (emu) => emu.messages(ops).find((m) => m.text.includes('Scheduled `/eafix backup verify` (verification')),
      // Posts to one channel are paced at about one a second, behind the runs' own messages.
      { description: 'the scheduled run announced in the ops channel', timeoutMs: 60_000 },
    );
  });
});

describe('the backup schedules (runbook: Automated Backups)', () => {
  it('takes one backup per tick, named by the tick, whichever replica gets it', async () => {
    const { deps } = world.bot;
    const due = new Date(Date.UTC(2026, 11, 1, 2, 0, 0));
    const hourly = new Date(Date.UTC(2026, 11, 1, 9, 0, 0));
    for (const [schedule, tick, name] of [
      ['full-backup', due, 'eafix-backup-20261201-020000-full'],
      ['hourly-backup', hourly, 'eafix-backup-20261201-090000-hourly'],
    ] as const) {
      // Two replicas handling the same tick.
      await Promise.all([onDrScheduleTick(deps, schedule, tick), onDrScheduleTick(deps, schedule, tick)]);
      const runs = await runsOfTick(tick, schedule);
      expect(runs).toHaveLength(1);
      // Each delivery audited before anything started, and closed with the one run both found.
      const { rows: audit } = await world.bot.pool.query<{ outcome: string; detail: string }>(
        'SELECT outcome, detail FROM audit_log WHERE request_id = $1 ORDER BY id',
        [`schedule-${schedule}-${tick.getTime()}`],
      );
      expect(audit.map((row) => row.outcome).sort()).toEqual(['ok', 'ok', 'started', 'started']);
      expect(audit.filter((row) => row.outcome === 'ok').map((row) => row.detail.slice(0, 20))).toEqual([
        `run ${runs[0]}`,
        `run ${runs[0]}`,
      ]);
      expect(audit[0]?.outcome).toBe('started');
      const run = await eventually(async () => {
        const row = (await world.bot.pool.query<RunRow>('SELECT id, status, error FROM runs WHERE id = $1', [runs[0]]))
          .rows[0];
        return row && ['succeeded', 'failed'].includes(row.status) ? row : undefined;
      }, `the ${schedule} run to finish`);
      expect(run.error).toBeNull();
      expect(run.status).toBe('succeeded');
      expect(await deps.cluster.getBackup(name)).toMatchObject({ name, phase: 'Completed' });
    }
  });
});

async function runsOfTick(due: Date, schedule = 'verification'): Promise<string[]> {
  const { rows } = await world.bot.pool.query<{ id: string }>('SELECT id FROM runs WHERE idempotency_key = $1', [
    `schedule-${schedule}-${due.getTime()}`,
  ]);
  return rows.map((r) => r.id);
}
