import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { isolate } from '../support/isolation.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';
import type { EmuMessage } from '@eafix/sandbox/slack';
import { kill, startWorkerProcess } from '../support/worker-process.ts';

const ops = 'eafix-ops';
let world: TestWorld;
let proxy: TcpProxy;
let redis: Redis;
const pending = new Map<string, EmuMessage>();
let worker: ChildProcess;
const jobs = { jobAttempts: 2, jobBackoffMs: 200, lockDurationMs: 2_000, stalledIntervalMs: 1_000 };

// The runbook's 60 s outages, compressed: queries time out in 1.5 s and a run's job gives up after two
// quick attempts, so the outage outlasts the job exactly as a 60 s one outlasts the production settings.
beforeAll(async () => {
  const real = new URL(isolate('probe').databaseUrl);
  proxy = new TcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
  await proxy.start();
  const viaProxy = new URL(real);
  viaProxy.port = String(proxy.port);
  world = await startWorld('pg_outage', {
    databaseUrl: viaProxy.toString(),
    env: { DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_QUERY_TIMEOUT_MS: '1500' },
    jobs: { ...jobs, reconcileIntervalMs: 300 },
    clusterTiming: { podStartMs: 50, podReadyMs: 2_000, tickMs: 10 },
  });
  redis = new Redis(world.isolation.redisUrl, { maxRetriesPerRequest: 1 });
  // A second worker in its own process: an unheard 'error' from a broken connection would kill it.
  worker = await startWorkerProcess(world, { jobs: { ...jobs, reconcileIntervalMs: 300 } });
  // Approval requests made while the database is up, for clicks during the outages.
  for (const environment of ['dr', 'production']) pending.set(environment, await requestRollback(environment));
}, 90_000);
afterAll(async () => {
  if (worker) await kill(worker);
  proxy?.restore();
  redis?.disconnect();
  await world?.stop();
  await proxy?.stop();
});

async function requestRollback(environment: string): Promise<EmuMessage> {
  const seen = world.slack.ephemerals('dave').length;
  const after = world.slack.latestMessage(ops)?.ts ?? '0';
  await world.driver.command({
    user: 'dave',
    channel: ops,
    text: `rollback --environment=${environment} --reason "bad deploy in ${environment}"`,
  });
  await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
    description: 'approval requested',
  });
  return approvalMessageIn(world, ops, after);
}

async function approve(message: EmuMessage): Promise<string> {
  await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
  const approvalId = requestIdOf(message);
  return eventually(
    async () =>
      (await world.bot.pool.query(`SELECT id FROM runs WHERE approval_id = $1`, [approvalId])).rows[0]?.id as
        string | undefined,
    'the run',
  );
}

const stepStatus = async (runId: string, stepId: string) =>
  (await world.bot.pool.query(`SELECT status FROM run_steps WHERE run_id = $1 AND step_id = $2`, [runId, stepId]))
    .rows[0]?.status as string | undefined;

/** The run's BullMQ job is gone: its attempts ran out while PostgreSQL was away. */
const jobGone = (runId: string) =>
  eventually(
    async () => (await redis.exists(`${world.env.REDIS_PREFIX}:runs:${runId}`)) === 0,
    `the job of ${runId} to run out of attempts`,
    30_000,
  );

/** Every kind of request still gets an answer while the database is away. */
async function everyRequestAnswers(clickOn: EmuMessage): Promise<void> {
  const alice = world.slack.ephemerals('alice').length;
  await world.driver.command({ user: 'alice', channel: ops, text: 'trading stop --reason "db migration"' });
  await world.slack.waitFor(() => ephemeralText(world, 'alice', alice).includes('Nothing was changed'), {
    description: 'fail-closed command reply',
    timeoutMs: 15_000,
  });

  const bob = world.slack.ephemerals('bob').length;
  await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: clickOn.ts, actionId: 'approval:approve' });
  await world.slack.waitFor(() => ephemeralText(world, 'bob', bob).includes('cannot vouch for that click'), {
    description: 'fail-closed click reply',
    timeoutMs: 15_000,
  });
  expect(ephemeralText(world, 'bob', bob)).not.toContain('Something went wrong');

  // A slow answer comes through response_url after a "Working on…" ack.
  const before = world.slack.ephemerals('alice').length;
  const help = await world.driver.command({ user: 'alice', channel: ops, text: 'help' });
  if (!textOf(help.body).includes('/eafix whoami')) {
    await world.slack.waitFor(() => ephemeralText(world, 'alice', before).includes('/eafix whoami'), {
      description: 'help answered',
      timeoutMs: 15_000,
    });
  }
}

async function finishesOnce(runId: string, environment: string): Promise<void> {
  const row = await eventually(
    async () => {
      const r = (await world.bot.pool.query(`SELECT status, error, resumed_count FROM runs WHERE id = $1`, [runId]))
        .rows[0] as { status: string; error: string | null; resumed_count: number };
      return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
    },
    `run ${runId} to finish`,
    40_000,
  );
  expect(row).toMatchObject({ status: 'succeeded', error: null });
  expect(row.resumed_count).toBeGreaterThanOrEqual(1);
  // Its target is free again, and each change was applied once.
  expect(
    (await world.bot.pool.query(`SELECT run_id FROM run_targets WHERE target = $1`, [`env:${environment}`])).rows,
  ).toEqual([]);
  const ns = `eafix-${environment}`;
  const writes = world.cluster.writes.filter((w) => w.path.includes(`/namespaces/${ns}/`));
  expect(writes.filter((w) => w.path.endsWith('/services/eafix-gateway'))).toHaveLength(1);
  // Scaling is one conditional PATCH of the Deployment (replicas and its who/why annotations together).
  expect(writes.filter((w) => w.method === 'PATCH' && w.path.endsWith('/deployments/eafix-blue'))).toHaveLength(1);
}

describe('PostgreSQL outages', () => {
  it('refused: every request answers, and the in-flight run finishes once the database is back, without a restart', async () => {
    const staging = await requestRollback('staging');
    const runId = await approve(staging);
    await eventually(
      async () => (await stepStatus(runId, 'target-ready')) === 'running',
      'target-ready to start',
      20_000,
    );
    proxy.cut();
    await everyRequestAnswers(pending.get('dr')!);
    await jobGone(runId);
    proxy.restore();
    await finishesOnce(runId, 'staging');
  }, 120_000);

  it('black-holed: every request answers, nothing crashes when the network returns, and the run finishes', async () => {
    // The click refused during the first outage works now.
    const runId = await approve(pending.get('dr')!);
    await eventually(
      async () => (await stepStatus(runId, 'target-ready')) === 'running',
      'target-ready to start',
      20_000,
    );
    proxy.blackHole();
    await everyRequestAnswers(pending.get('production')!);
    await jobGone(runId);
    proxy.restore();
    await finishesOnce(runId, 'dr');
    const ready = await fetch(`http://127.0.0.1:${world.bot.port}/readyz`);
    expect(ready.status).toBe(200);
    // The worker process lived through both outages.
    expect({ exitCode: worker.exitCode, signal: worker.signalCode }).toEqual({ exitCode: null, signal: null });
  }, 120_000);
});
