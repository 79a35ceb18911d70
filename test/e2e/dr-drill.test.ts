import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { ephemeralText } from '../support/approvals.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('dr_drill', {
    clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10, veleroRunMs: 150, namespaceDeletionMs: 50 },
  });
  await world.bot.deps.cluster.createBackup({
    name: 'eafix-backup-e2e-drill',
    includedNamespaces: ['eafix-production'],
    labels: { 'eafix.io/environment': 'production' },
    change: { requestedBy: 'U0ALICE', reason: 'e2e', requestId: 'req-drill-backup' },
  });
  await world.bot.deps.cluster.waitForBackup('eafix-backup-e2e-drill', { timeoutMs: 30_000 });
});
afterAll(async () => {
  await world?.stop();
});

async function drill(text: string) {
  const at = (await world.bot.pool.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now;
  await world.driver.command({ user: 'alice', channel: ops, text });
  return eventually(
    async () => {
      const { rows } = await world.bot.pool.query<{ id: string; status: string; error: string | null }>(
        `SELECT id, status, error FROM runs WHERE action = 'dr drill' AND created_at > $1`,
        [at],
      );
      return rows[0] && ['succeeded', 'failed'].includes(rows[0].status) ? rows[0] : undefined;
    },
    'the drill to finish',
    60_000,
  );
}

const drillGone = async () => (await world.bot.deps.cluster.namespacePhase('eafix-dr-drill')) === undefined;

describe('/eafix dr drill (runbook: Monthly DR Drills)', () => {
  it('restores into eafix-dr-drill, runs the integration tests there, measures the recovery against the RTO table, and cleans up', async () => {
    const run = await drill('dr drill');
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const restore = world.cluster.writes.find((w) => w.method === 'POST' && w.path.includes('/restores'));
    expect(JSON.stringify(restore?.body)).toContain('"namespaceMapping":{"eafix-production":"eafix-dr-drill"}');
    const tests = world.cluster.writes.find((w) => w.method === 'POST' && w.path.endsWith('/jobs'));
    expect(JSON.stringify(tests?.body)).toContain('"test","integration","--namespace=eafix-dr-drill"');
    expect(await drillGone()).toBe(true);

    const [record] = await world.bot.deps.dr.records.list('drill', 1);
    expect(record).toMatchObject({ runId: run.id, passed: true, backupName: 'eafix-backup-e2e-drill' });
    expect(record?.recoveryMs).toBeGreaterThanOrEqual(0);
    expect(record?.rtoMs).toBe(30 * 60_000);
    expect(record?.rpoMs).toBe(5 * 60_000);
    const post = await world.slack.waitFor(
      (emu) => emu.messages(ops).find((m) => m.text.includes('DR drill of production: recovery completed in')),
      { description: 'the drill result in the ops channel' },
    );
    for (const row of ['Service Failure: RTO 5m', 'Database Corruption: RTO 30m', 'Data Center Outage: RTO 2h'])
      expect(post.text).toContain(row);
    // The comparison follows the measurement (no assumption about how long the machine took).
    expect(post.text).toContain(`RTO 30m ${record!.recoveryMs! <= 30 * 60_000 ? 'met' : 'MISSED'}`);
  });

  it('failing integration tests fail the drill, still delete the namespace, and dr drills lists both with the trend', async () => {
    world.cluster.workloads.behaviours.register({
      argv: ['eafix-cli', 'test', 'integration'],
      behaviour: { stdout: ['63 passed, 1 failed', '{"failed":1}'], exitCode: 1 },
      times: 1,
    });
    const run = await drill('dr drill --backup eafix-backup-e2e-drill');
    expect(run.status).toBe('failed');
    expect(run.error).toContain('DR drill of production failed');
    expect(await drillGone()).toBe(true);

    const seen = world.slack.ephemerals('carol').length;
    await world.driver.command({ user: 'carol', channel: ops, text: 'dr drills' });
    const reply = await world.slack.waitFor(
      () =>
        ephemeralText(world, 'carol', seen).includes('DR drills') ? ephemeralText(world, 'carol', seen) : undefined,
      { description: 'the drill list' },
    );
    expect(reply).toContain('1/2 passed');
    expect(reply).toMatch(/recovered in .*\(RTO 30m (met|MISSED)\)/);
    expect(reply).toContain('eafix-backup-e2e-drill');
  });
});
