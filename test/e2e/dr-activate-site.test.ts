import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  // production (and the bot's own operations) in one simulated cluster, dr in another: the DR site.
  world = await startWorld('dr_activate_site', {
    drSite: true,
    clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 },
  });
});
afterAll(async () => {
  await world?.stop();
});

describe('/eafix dr activate-site (runbook: Scenario 2, Complete Data Centre Outage)', () => {
  it('with the primary cluster unreachable, runs every step on the DR cluster only and enables trading there', async () => {
    const dr = world.drCluster!;
    await world.cluster.goDown('refuse');
    const primaryRequests = world.cluster.requests.length;

    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'dr activate-site --reason "primary data centre down"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
      description: 'approval requested',
    });
    const message = await approvalMessageIn(world, ops);
    expect(textOf(message.blocks)).toContain('run `activate-dr-site.sh` on the dr site');
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    const id = requestIdOf(message);
    const run = await eventually(
      async () => {
        const r = (await world.bot.pool.query(`SELECT status, error FROM runs WHERE approval_id = $1`, [id]))
          .rows[0] as { status: string; error: string | null } | undefined;
        return r && ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      },
      'the DR activation to finish',
      60_000,
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');

    const jobs = dr.writes.filter((w) => w.method === 'POST' && w.path.endsWith('/jobs'));
    const argv = jobs.map((w) => JSON.stringify(w.body));
    expect(jobs.every((w) => w.path.includes('/namespaces/eafix-dr/'))).toBe(true);
    for (const words of [
      '["activate-dr-site.sh"]',
      '["restore-from-backup.sh","--latest","--site=dr"]',
      '["aws","route53","change-resource-record-sets","--hosted-zone-id","Z123456789"',
      '["eafix-cli","doctor","--environment=dr"]',
      '["eafix-cli","trading","enable","--site=dr","--confirm-dr"]',
    ])
      expect(
        argv.some((a) => a.includes(words)),
        words,
      ).toBe(true);
    expect(world.cluster.requests.length).toBe(primaryRequests);
    expect(dr.workloads.platform.state('eafix-dr')).toMatchObject({ site: 'dr', tradingEnabled: true });
    const incidents = await world.bot.pool.query('SELECT severity FROM incidents WHERE title = $1', [
      'Data centre outage: DR site activated',
    ]);
    expect(incidents.rows).toEqual([{ severity: 'critical' }]);
    await world.cluster.comeUp();
  });

  it('status names the cluster an environment lives in, and doctor checks the other cluster', async () => {
    const answer = async (text: string, expected: string) => {
      const seen = world.slack.ephemerals('alice').length;
      await world.driver.command({ user: 'alice', channel: ops, text });
      await world.slack.waitFor(() => ephemeralText(world, 'alice', seen).includes(expected), {
        description: `the answer to ${text}`,
        timeoutMs: 60_000,
      });
      return ephemeralText(world, 'alice', seen);
    };
    expect(await answer('status --environment=dr', 'Cluster:')).toContain('*Cluster:* kube context dr');
    expect(await answer('status', 'Cluster:')).toContain("*Cluster:* the bot's own cluster");

    await world.drCluster!.goDown('refuse');
    try {
      const report = await answer('doctor', 'EAFIX doctor');
      expect(report).toContain(':x: *Kubernetes API (kube context dr)*');
      expect(report).toContain(':white_check_mark: *Kubernetes API* — reachable');
    } finally {
      await world.drCluster!.comeUp();
    }
    const healthy = await answer('doctor', 'EAFIX doctor');
    expect(healthy).toContain(':white_check_mark: *Kubernetes API (kube context dr)* — reachable');
  });
});
