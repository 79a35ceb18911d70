/**
 * The bot as it is deployed: two `web` and two `worker` processes started from the compiled build
 * (`node bin/eafix.js <role>`), on one PostgreSQL schema and one Redis prefix, with Slack, the cluster,
 * Prometheus and PagerDuty emulated in this process. Stories go in through both web processes; what
 * happened is read from the emulators and the database. Then every process is replaced in turn
 * (SIGTERM) while a rollback is in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCompiledBot, type CompiledBot } from '../support/compiled-bot.ts';
import { startProcessWorld, type ProcessWorld } from '../support/process-world.ts';
import { eventually } from '../support/eventually.ts';
import { textOf } from '../support/world.ts';
import {
  allDelivered,
  approvedRollback,
  duplicatePosts,
  executionsOf,
  finished,
  incidentsTitled,
  rollbackWrites,
  stepStatus,
} from '../support/process-flows.ts';
import { familiesOf, parsePrometheusText, valueOf, type Sample } from '../metrics/prometheus-text.ts';

// Pods become ready only when the test moves the simulated clock: a rollback waits in `target-ready`
// for exactly as long as the test needs, whatever the machine's load.
const POD_READY_MS = 60 * 60_000;
let world: ProcessWorld;
const bots = { web: [] as CompiledBot[], worker: [] as CompiledBot[] };
const everyBot = () => [...bots.web, ...bots.worker];

beforeAll(async () => {
  world = await startProcessWorld('multi_process', {
    // Progress deadlines stretched far past every advance of the clock: they are not what is tested here.
    clusterTiming: { podStartMs: 50, podReadyMs: POD_READY_MS, tickMs: 10, progressDeadlineScale: 1_000 },
    policy: (document) => {
      // A digest every two seconds, so several ticks are seen, in a channel of its own.
      document.digests = [
        { name: 'tick', cron: '*/2 * * * * *', timezone: 'UTC', channel: 'security', sections: ['platform'] },
      ];
    },
  });
  const started = await Promise.all([
    startCompiledBot('web', world.env, { name: 'web-1' }),
    startCompiledBot('web', world.env, { name: 'web-2' }),
    startCompiledBot('worker', world.env, { name: 'worker-1' }),
    startCompiledBot('worker', world.env, { name: 'worker-2' }),
  ]);
  bots.web.push(started[0], started[1]);
  bots.worker.push(started[2], started[3]);
}, 600_000);
afterAll(async () => {
  await Promise.all(everyBot().map((bot) => bot.stop('SIGKILL')));
  await world?.stop();
});

// The series the issue asks of `/metrics`, declared by every process whatever its role.
const families = [
  'ack_seconds',
  'commands_total',
  'approvals_total',
  'runs_total',
  'run_step_seconds',
  'slack_rate_limited_total',
  'runs_active',
  'outbox_pending',
  'queue_jobs',
  'db_pool_connections',
].map((name) => `eafix_chatops_${name}`);

async function scrape(bot: CompiledBot): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${bot.port}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  expect([...familiesOf(text).keys()], bot.name).toEqual(expect.arrayContaining(families));
  return parsePrometheusText(text);
}
const summed = (scrapes: Sample[][], name: string, labels: Record<string, string> = {}) =>
  scrapes.reduce((sum, samples) => sum + (valueOf(samples, name, labels) ?? 0), 0);

/** Moves the simulated clock past the pods' start: blue becomes ready and the rollback goes on. */
async function letBlueBecomeReady(runId: string) {
  await eventually(async () => (await stepStatus(world, runId, 'target-ready')) === 'running', 'target-ready to start');
  world.cluster.advance(POD_READY_MS);
}

describe('two web and two worker processes from the compiled build', { timeout: 600_000 }, () => {
  it('run one rollback, one war room and one digest per tick, and serve /metrics on both roles', async () => {
    const [web1, web2] = bots.web.map((bot) => world.driverFor(bot)) as [
      ReturnType<ProcessWorld['driverFor']>,
      ReturnType<ProcessWorld['driverFor']>,
    ];
    // Requested on one web process, approved by two people at once on both.
    const { approvalId, runId } = await approvedRollback(world, 'production', web1, [web2, web1]);
    await letBlueBecomeReady(runId);
    expect(await finished(world, runId)).toMatchObject({ status: 'succeeded', resumed_count: 0 });
    expect(await executionsOf(world, approvalId)).toBe(1);
    expect(await world.db.query(`SELECT id FROM runs WHERE approval_id = $1`, [approvalId])).toHaveProperty(
      'rowCount',
      1,
    );
    expect(rollbackWrites(world, 'production')).toEqual({ gateway: 1, blue: 1 });

    // An incident declared on the other web process: its war room is set up once, by one worker.
    const declared = await web2.command({
      user: 'alice',
      channel: 'eafix-ops',
      text: 'incident create --title "Multi-process drill" --severity high --type ops',
    });
    expect(declared.status).toBe(200);
    const [incident] = await eventually(async () => {
      const rows = await world.db.query(
        `SELECT id, channel_id FROM incidents WHERE title = 'Multi-process drill' AND setup ? 'announced'`,
      );
      return rows.rows.length ? rows.rows : undefined;
    }, 'the war room set up');
    const rollbackIncidents = await incidentsTitled(world, 'Emergency rollback of production');
    expect(rollbackIncidents).toHaveLength(1);
    const warRooms = [...world.slack.state.channels.values()].filter((c) => c.name.startsWith('inc-'));
    expect(warRooms.map((c) => c.id).sort()).toEqual([incident.channel_id, rollbackIncidents[0]!.channel_id].sort());

    // Scheduled digests: both workers sync the schedule and take jobs, one post per tick.
    const ticks = await eventually(
      async () => {
        const { rows } = await world.db.query<{ tick_key: string }>(
          `SELECT tick_key FROM digest_posts WHERE digest = 'tick' AND posted_at IS NOT NULL ORDER BY tick_key`,
        );
        return rows.length >= 3 ? rows.map((r) => r.tick_key) : undefined;
      },
      'three digest ticks posted',
      120_000,
    );
    const posts = world.slack.messages('security').filter((m) => textOf(m.blocks).includes('digest —'));
    const perTick = new Map<string, number>();
    for (const post of posts) {
      const tick = /Scheduled for <!date\^\d+\^[^|]*\|([^>]+)>/.exec(textOf(post.blocks))?.[1];
      if (tick) perTick.set(tick, (perTick.get(tick) ?? 0) + 1);
    }
    for (const tick of ticks.slice(0, 2)) expect(perTick.get(tick), tick).toBe(1);
    expect([...perTick.values()].every((n) => n === 1)).toBe(true);
    expect(duplicatePosts(world)).toEqual([]);

    // /metrics on every process: the web processes saw the Slack traffic, the workers ran the run.
    const webs = await Promise.all(bots.web.map(scrape));
    const workers = await Promise.all(bots.worker.map(scrape));
    const ack = { role: 'web', surface: 'command', action: 'rollback' };
    expect(summed(webs, 'eafix_chatops_ack_seconds_count', ack)).toBe(1);
    expect(summed(webs, 'eafix_chatops_ack_seconds_count', { surface: 'click', action: 'approval:approve' })).toBe(2);
    expect(summed(webs, 'eafix_chatops_commands_total', { action: 'rollback' })).toBeGreaterThanOrEqual(1);
    expect(summed(webs, 'eafix_chatops_approvals_total', { state: 'approved' })).toBe(1);
    const run = { role: 'worker', kind: 'rollback', outcome: 'succeeded' };
    expect(summed(workers, 'eafix_chatops_runs_total', run)).toBe(1);
    expect(summed(workers, 'eafix_chatops_run_step_seconds_count', { kind: 'rollback' })).toBeGreaterThanOrEqual(5);
    for (const samples of [...webs, ...workers]) {
      expect(valueOf(samples, 'eafix_chatops_queue_jobs', { queue: 'runs', state: 'failed' })).toBe(0);
      expect(valueOf(samples, 'eafix_chatops_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
      expect(valueOf(samples, 'eafix_chatops_outbox_pending')).toBeGreaterThanOrEqual(0);
      expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    }
  });

  it('lose nothing and run nothing twice when each process is replaced (SIGTERM) during a rollback', async () => {
    const [web1, web2] = bots.web.map((bot) => world.driverFor(bot));
    const { approvalId, runId, messageTs } = await approvedRollback(world, 'staging', web1!, [web2!]);
    await eventually(
      async () => (await stepStatus(world, runId, 'target-ready')) === 'running',
      'target-ready to start',
    );

    for (const role of ['web', 'worker'] as const) {
      for (let i = 0; i < bots[role].length; i++) {
        const old = bots[role][i]!;
        // Make before break, as a rolling update does: the replacement is ready before the old one goes.
        const replacement = await startCompiledBot(role, world.env, { name: `${old.name}'` });
        bots[role][i] = replacement;
        // A graceful stop: the step is given up at a checkpoint (or abandoned at the deadline), never failed.
        expect(await old.stop('SIGTERM')).toBe(0);
        expect(await world.db.query(`SELECT status, error FROM runs WHERE id = $1`, [runId])).toMatchObject({
          rows: [{ status: 'running', error: null }],
        });
      }
    }
    // Every process the rollback started with is gone; the Slack side goes on through the replacements.
    const seen = world.slack.ephemerals('carol').length;
    await world.driverFor(bots.web[1]!).command({ user: 'carol', channel: 'eafix-ops', text: 'help' });
    await world.slack.waitFor(() => world.slack.ephemerals('carol').length > seen, {
      description: 'help answered',
      timeoutMs: 60_000,
    });

    world.cluster.advance(POD_READY_MS);
    const row = await finished(world, runId);
    expect(row.status).toBe('succeeded');
    // The worker holding the run went away at least once; each step still completed exactly once.
    expect(row.resumed_count).toBeGreaterThanOrEqual(1);
    const steps = await world.db.query<{ status: string }>(`SELECT status FROM run_steps WHERE run_id = $1`, [runId]);
    expect(steps.rows.map((s) => s.status)).toEqual(steps.rows.map(() => 'succeeded'));
    expect(await executionsOf(world, approvalId)).toBe(1);
    expect(rollbackWrites(world, 'staging')).toEqual({ gateway: 1, blue: 1 });
    expect(world.cluster.getDeployment('eafix-staging', 'eafix-blue')?.spec?.replicas).toBeGreaterThan(0);
    expect(await incidentsTitled(world, 'Emergency rollback of staging')).toHaveLength(1);

    // Nothing the bot meant to say was lost, and nothing was said twice.
    await allDelivered(world);
    expect(duplicatePosts(world)).toEqual([]);
    const outcome = world.slack
      .thread('eafix-ops', messageTs)
      .filter((m) => JSON.stringify(m.metadata ?? {}).includes(`"run:${runId}:finished"`));
    expect(outcome.map((m) => textOf(m.text))).toEqual([expect.stringContaining('finished')]);
  });
});
