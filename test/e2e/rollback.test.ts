import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('rollback', { clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 } });
});
afterAll(async () => {
  await world?.stop();
});

const runOf = async (approvalId: string) =>
  (await world.bot.pool.query(`SELECT id, status, error, summary FROM runs WHERE approval_id = $1`, [approvalId]))
    .rows[0] as { id: string; status: string; error: string | null; summary: string | null } | undefined;

describe('/eafix rollback', () => {
  it('asks a second person, then scales blue, waits until it is ready, switches to blue, verifies, and reports every step in the thread', async () => {
    const ns = 'eafix-production';
    expect(world.cluster.getService(ns, 'eafix-gateway')?.spec?.selector?.version).toBe('green');

    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'rollback --reason "errors after the green deploy"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
      description: 'approval requested',
    });
    const message = await approvalMessageIn(world, ops);
    const plan = textOf(message.blocks);
    expect(plan).toContain('patch service eafix-gateway selector version green→blue in production');
    expect(plan).toContain('scale deployment eafix-blue 0→3');
    // Nothing changed before approval.
    expect(world.cluster.writes.length).toBe(0);

    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    const id = requestIdOf(message);
    const run = await eventually(
      async () => {
        const r = await runOf(id);
        return r && ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      },
      'the rollback run to finish',
      30_000,
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');

    expect(world.cluster.getService(ns, 'eafix-gateway')?.spec?.selector?.version).toBe('blue');
    expect(world.cluster.getDeployment(ns, 'eafix-blue')?.spec?.replicas).toBe(3);
    const annotations = world.cluster.getService(ns, 'eafix-gateway')?.metadata?.annotations ?? {};
    expect(annotations['eafix.io/changed-by']).toBe('U0DAVE');
    expect(annotations['eafix.io/approval-id']).toBe(id);
    // Writes went to the cluster as dave's mapped identity.
    expect(world.cluster.writes.every((w) => w.headers.impersonateUser === 'eafix:incident-commander')).toBe(true);

    const thread = await world.slack.waitFor(
      (emu) => {
        const replies = emu.thread(ops, message.ts);
        const status = replies.find((r) => textOf(r.blocks ?? r.text).includes('Switch gateway traffic back'));
        const statusText = textOf(status?.blocks ?? status?.text);
        return statusText.includes('succeeded') || (statusText.match(/white_check_mark/g) ?? []).length >= 5
          ? replies
          : undefined;
      },
      { description: 'the status message showing every step done', timeoutMs: 15_000 },
    );
    const all = thread.map((r) => textOf(r.blocks ?? r.text)).join('\n');
    for (const step of [
      'Scale the previous colour up',
      'Wait until it is ready',
      'Switch gateway traffic back',
      'Verify the gateway serves it only',
      'Document the incident',
    ])
      expect(all).toContain(step);
    expect(all).toContain('gateway selector green → blue');
  });
});
