import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';
import { PgRunStore } from '../../src/store/pg-run-store.ts';
import { defineRunKind } from '../../src/jobs/run-definition.ts';

const ops = 'eafix-ops';
const ns = 'eafix-production';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('dr_db_rollback', {
    clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10, veleroRunMs: 150, namespaceDeletionMs: 50 },
  });
});
afterAll(async () => {
  await world?.stop();
});

const runOf = async (approvalId: string) =>
  (await world.bot.pool.query(`SELECT id, status, error FROM runs WHERE approval_id = $1`, [approvalId])).rows[0] as
    { id: string; status: string; error: string | null } | undefined;

async function takeBackup(name: string): Promise<void> {
  await world.bot.deps.cluster.createBackup({
    name,
    includedNamespaces: [ns],
    labels: { 'eafix.io/environment': 'production' },
    change: { requestedBy: 'U0ALICE', reason: 'e2e', requestId: `req-${name}` },
  });
  await world.bot.deps.cluster.waitForBackup(name, { timeoutMs: 30_000 });
}

describe('/eafix rollback database (runbook: Database Rollback)', () => {
  it('refuses a backup that does not exist before asking anyone, and changes nothing', async () => {
    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'rollback database --backup eafix-backup-missing --reason "orders corrupted"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('no Velero backup named'), {
      description: 'the refusal',
    });
    expect(world.cluster.writes).toHaveLength(0);
  });

  it('refuses at once, asking nobody to approve, while a service of production is being changed', async () => {
    await takeBackup('eafix-backup-e2e-busy');
    // A scale of risk-manager under way (a run that holds its target).
    const runs = new PgRunStore(world.bot.pool);
    const holder = defineRunKind<unknown>({
      kind: 'e2e-holder',
      target: () => 'service:production/risk-manager',
      steps: [{ id: 'hold', title: 'Hold', run: async () => undefined }],
    });
    const scale = await runs.createRun(holder, {
      input: {},
      requestId: 'req-e2e-holder',
      requestedBy: 'U0ALICE',
      teamId: 'T0EAFIX',
      action: 'scale',
    });
    // Paused, as a run waiting for someone's decision is: it keeps its target, and no worker or reconciler
    // picks it up meanwhile (no worker knows its kind).
    await world.bot.pool.query(`UPDATE runs SET status = 'paused' WHERE id = $1`, [scale.run.id]);
    const asked = async () =>
      Number((await world.bot.pool.query('SELECT count(*) FROM approval_requests')).rows[0].count);
    const approvalsBefore = await asked();
    try {
      const seen = world.slack.ephemerals('dave').length;
      await world.driver.command({
        user: 'dave',
        channel: ops,
        text: 'rollback database --backup eafix-backup-e2e-busy --reason "orders corrupted"',
      });
      await world.slack.waitFor(
        () =>
          ephemeralText(world, 'dave', seen).includes(
            `Run ${scale.run.id} is changing service:production/risk-manager`,
          ),
        { description: 'the refusal naming the run' },
      );
      expect(await asked()).toBe(approvalsBefore);
      expect(ephemeralText(world, 'dave', seen)).toContain(`/eafix cancel ${scale.run.id}`);
      const refusals = await world.bot.pool.query(
        `SELECT 1 FROM audit_log WHERE action = 'rollback database' AND outcome = 'rejected:target_busy'`,
      );
      expect(refusals.rowCount).toBe(1);
    } finally {
      await runs.finishRun(scale.run.id, { status: 'cancelled', summary: 'e2e' });
    }
  });

  it('stops every service, restores, verifies and brings each back at its recorded replicas, after a second person approves', async () => {
    await takeBackup('eafix-backup-e2e-db');
    const before = Object.fromEntries(
      (await world.bot.deps.cluster.status('production'))
        .filter((d) => d.service !== undefined && d.desired > 0)
        .map((d) => [d.name, d.desired]),
    );
    expect(Object.keys(before).length).toBeGreaterThan(5);
    // The database is corrupt: `database verify` fails until the restore brings it back.
    world.cluster.workloads.platform.update(ns, (p) => Object.assign(p, { databaseHealthy: false }));

    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'rollback database --backup eafix-backup-e2e-db --reason "orders table corrupted by 4.2.1"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
      description: 'approval requested',
    });
    const message = await approvalMessageIn(world, ops);
    const plan = textOf(message.blocks);
    expect(plan).toContain('scale deployment eafix-risk-manager 3→0 (stop)');
    expect(plan).toMatch(
      /RPO: data written to production after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(when the backup completed\) is lost/,
    );
    expect(plan).toContain("the runbook's RPO for database corruption is 5m");
    expect(plan).toContain('restore backup eafix-backup-e2e-db into eafix-production');
    expect(plan).toContain(
      'services restart at the version they run now: the gateway records no previous colour to go back to',
    );
    const writesBefore = world.cluster.writes.length;

    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    const id = requestIdOf(message);
    const run = await eventually(
      async () => {
        const r = await runOf(id);
        return r && ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      },
      'the database rollback to finish',
      60_000,
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');

    for (const [deployment, replicas] of Object.entries(before))
      expect(world.cluster.getDeployment(ns, deployment)?.spec?.replicas, deployment).toBe(replicas);
    expect(world.cluster.workloads.platform.state(ns).databaseHealthy).toBe(true);

    // Order: every stop before the restore, the restore before `database verify`, verify before any restart.
    const writes = world.cluster.writes.slice(writesBefore);
    const at = (p: (w: (typeof writes)[number]) => boolean) => writes.findIndex(p);
    const patchTo = (n: 'zero' | 'up') => (w: (typeof writes)[number]) =>
      w.method === 'PATCH' &&
      w.path.includes('/deployments/') &&
      ((w.body as { spec?: { replicas?: number } }).spec?.replicas === 0) === (n === 'zero');
    const stops = writes.filter(patchTo('zero'));
    expect(stops).toHaveLength(Object.keys(before).length);
    const lastStop = writes.lastIndexOf(stops.at(-1)!);
    const restore = at((w) => w.method === 'POST' && w.path.includes('/restores'));
    const verify = at((w) => w.method === 'POST' && w.path.endsWith('/jobs'));
    const firstStart = at(patchTo('up'));
    expect(lastStop).toBeLessThan(restore);
    expect(restore).toBeLessThan(verify);
    expect(verify).toBeLessThan(firstStart);
    expect(JSON.stringify(writes[verify]?.body)).toContain('"database","verify"');
  });

  it('restarts with the previous version: the colour traffic came from comes back up and takes the gateway', async () => {
    const change = { requestedBy: 'U0ALICE', reason: 'e2e: a deploy of green', requestId: 'req-deploy' };
    // A release went out on green, traffic came from blue (as a deploy leaves it): blue keeps the previous version.
    await world.bot.deps.cluster.switchTraffic('production', 'blue', change);
    await world.bot.deps.cluster.switchTraffic('production', 'green', change);
    const blueBefore = world.cluster.getDeployment(ns, 'eafix-blue')?.spec?.replicas ?? 0;
    const greenReplicas = world.cluster.getDeployment(ns, 'eafix-green')?.spec?.replicas ?? 0;
    const blueImage = world.cluster.getDeployment(ns, 'eafix-blue')?.spec?.template?.spec?.containers?.[0]?.image ?? '';
    expect(greenReplicas).toBeGreaterThan(0);
    await takeBackup('eafix-backup-e2e-prev');

    const seen = world.slack.ephemerals('dave').length;
    const after = world.slack.messages(ops).at(-1)?.ts ?? '0';
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'rollback database --backup eafix-backup-e2e-prev --reason "orders table corrupted by the green release"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
      description: 'approval requested',
    });
    const message = await approvalMessageIn(world, ops, after);
    const plan = textOf(message.blocks);
    const version = blueImage.slice(blueImage.lastIndexOf(':') + 1);
    expect(plan).toContain(
      `scale deployment eafix-blue ${blueBefore}→${greenReplicas} (blue, the previous version ${version}: the runbook restarts with the previous version)`,
    );
    expect(plan).toContain('keep deployment eafix-green stopped (green');
    expect(plan).toContain('patch service eafix-gateway selector green→blue in production once blue is ready');
    expect(plan).not.toContain('scale deployment eafix-green 0→');

    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    const run = await eventually(
      async () => {
        const r = await runOf(requestIdOf(message));
        return r && ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      },
      'the database rollback to finish',
      60_000,
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    expect(world.cluster.getDeployment(ns, 'eafix-blue')?.spec?.replicas).toBe(greenReplicas);
    expect(world.cluster.getDeployment(ns, 'eafix-green')?.spec?.replicas).toBe(0);
    expect((await world.bot.deps.cluster.liveColour('production')).colour).toBe('blue');
    expect(world.cluster.getDeployment(ns, 'eafix-risk-manager')?.spec?.replicas).toBeGreaterThan(0);
  });

  it('--keep-version restarts the version that ran, and the plan says so', async () => {
    const { rollbackDatabase } = await import('../../src/handlers/disaster-recovery/rollback-database.ts');
    const input = rollbackDatabase.input.parse({
      backup: 'eafix-backup-e2e-prev',
      environment: 'production',
      keepVersion: true,
      reason: 'disk fault, not a release',
    });
    const plan = await rollbackDatabase.plan(input, {
      deps: world.bot.deps,
      requestId: 'req-keep',
      invoker: { userId: 'U0DAVE', teamId: world.slack.teamId, channelId: 'C0OPS' },
      logger: createLogger({ level: 'silent' }),
    });
    const text = plan.map((p) => p.description).join('\n');
    expect(text).toContain('services restart at the version they run now: --keep-version was given');
    expect(text).not.toContain('patch service eafix-gateway');
    expect(rollbackDatabase.runInput!(input, plan).switchTo).toBeUndefined();
  });
});
