import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('dr_failover', { clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 } });
});
afterAll(async () => {
  await world?.stop();
});

async function approvedFailover(environment: string) {
  const seen = world.slack.ephemerals('dave').length;
  const after = world.slack.latestMessage(ops)?.ts ?? '0';
  await world.driver.command({
    user: 'dave',
    channel: ops,
    text: `dr failover-database --environment=${environment} --reason "primary disk failed"`,
  });
  await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
    description: 'approval requested',
  });
  const message = await approvalMessageIn(world, ops, after);
  await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
  const id = requestIdOf(message);
  const run = await eventually(
    async () => {
      const r = (await world.bot.pool.query(`SELECT id, status, error FROM runs WHERE approval_id = $1`, [id]))
        .rows[0] as { id: string; status: string; error: string | null } | undefined;
      return r && ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
    },
    'the failover to finish',
    60_000,
  );
  return { message, run };
}

describe('/eafix dr failover-database (runbook: Scenario 1, Primary Database Failure)', () => {
  it('promotes the replica, repoints eafix-postgres only once the promoted pods are ready, verifies, restarts dependents and opens the incident', async () => {
    const ns = 'eafix-production';
    world.cluster.workloads.postgres.failPrimary(ns);
    // What the cluster looked like at the moment the Service was repointed.
    let atRepoint: { replicaPods: { role?: string; ready: boolean }[]; primaryPods: number } | undefined;
    world.cluster.beforeNextRequest({ method: 'PATCH', pathIncludes: '/services/eafix-postgres' }, () => {
      atRepoint = {
        replicaPods: world.cluster.listPods(ns, 'app=eafix-postgres').flatMap((p) =>
          p.metadata.name.startsWith('eafix-postgres-replica-')
            ? [
                {
                  role: p.metadata.labels?.role,
                  ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
                },
              ]
            : [],
        ),
        primaryPods: world.cluster
          .listPods(ns, 'app=eafix-postgres')
          .filter((p) => /^eafix-postgres-\d+$/.test(p.metadata.name) && !p.metadata.deletionTimestamp).length,
      };
    });

    const writesBefore = world.cluster.writes.length;
    const { message, run } = await approvedFailover('production');
    expect(textOf(message.blocks)).toContain('patch service eafix-postgres selector role→primary');
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');

    expect(atRepoint?.replicaPods).toEqual([
      { role: 'primary', ready: true },
      { role: 'primary', ready: true },
    ]);
    expect(atRepoint?.primaryPods).toBe(0);
    const writes = world.cluster.writes.slice(writesBefore);
    const index = (p: (w: (typeof writes)[number]) => boolean) => writes.findIndex(p);
    const promote = index((w) => w.method === 'PATCH' && w.path.endsWith('/statefulsets/eafix-postgres-replica'));
    const repoint = index((w) => w.method === 'PATCH' && w.path.endsWith('/services/eafix-postgres'));
    const verify = index((w) => w.method === 'POST' && JSON.stringify(w.body).includes('--full-check'));
    const restart = index((w) => w.method === 'PATCH' && w.path.endsWith('/deployments/eafix-data-ingestor'));
    expect(promote).toBeGreaterThanOrEqual(0);
    expect(promote).toBeLessThan(repoint);
    expect(repoint).toBeLessThan(verify);
    expect(verify).toBeLessThan(restart);
    expect(world.cluster.getService(ns, 'eafix-postgres')?.spec?.selector).toEqual({
      app: 'eafix-postgres',
      role: 'primary',
    });
    expect(world.cluster.workloads.platform.state(ns).databaseHealthy).toBe(true);
    const incidents = await world.bot.pool.query<{ severity: string }>(
      'SELECT severity FROM incidents WHERE title = $1',
      ['Primary database failure in production'],
    );
    expect(incidents.rows).toEqual([{ severity: 'critical' }]);
  });

  it('does nothing when the primary answers ping', async () => {
    const writesBefore = world.cluster.writes.length;
    const { run } = await approvedFailover('staging');
    expect(run.status).toBe('failed');
    expect(run.error).toContain('answers ping: no failover was made');
    const changes = world.cluster.writes
      .slice(writesBefore)
      .filter((w) => w.path.includes('/statefulsets/') || w.path.includes('/services/'));
    expect(changes).toEqual([]);
  });
});
