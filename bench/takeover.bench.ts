/**
 * Takeover after `kill -9`: how long a rollback run sits idle between its worker dying and another
 * worker resuming it, with the production lock duration and stalled interval (RUN_LOCK_DURATION_MS,
 * RUN_STALLED_INTERVAL_MS). Web in this process; two worker processes; each trial kills the one
 * running the rollback mid-step, times kill → `resumed`, checks each change was applied once, and
 * starts a replacement worker. Run: npm run bench -- takeover   (BENCH_TRIALS, default 10)
 */
import type { ChildProcess } from 'node:child_process';
import { createLogger } from '../src/logger.ts';
import { startSandboxWorld, type SandboxWorld } from '@eafix/sandbox/sandbox-world';
import { deleteKeysWithPrefix } from '../src/redis/redis-connection.ts';
import { kill, startWorkerProcess } from '../test/support/worker-process.ts';
import { median, percentile } from './lib/stats.ts';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 10);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const schema = `bench_takeover_${process.pid}`;
const ops = 'eafix-ops';
const environments = ['production', 'staging', 'dr'];

const world: SandboxWorld = await startSandboxWorld({
  databaseUrl,
  redisUrl,
  schema,
  redisPrefix: `eafix-bench:${schema}`,
  logger: createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
  role: 'web',
  rateLimits: { enabled: false },
  // Blue takes a while to get ready, so the kill lands inside the "Wait until it is ready" step.
  clusterTiming: { podStartMs: 50, podReadyMs: 6_000, tickMs: 20 },
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('bench: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const query = async (sql: string, params: unknown[]) => (await world.bot.pool.query(sql, params)).rows[0];
// Production defaults: `{}` leaves the lock duration and stalled interval to the environment's defaults.
const workers: ChildProcess[] = [
  await startWorkerProcess(world, { jobs: {} }),
  await startWorkerProcess(world, { jobs: {} }),
];

/** Back to green live and blue at zero, as before a rollback. */
async function reset(environment: string): Promise<void> {
  const meta = { requestedBy: 'bench', reason: 'bench reset', requestId: 'bench' };
  await world.bot.deps.cluster.switchTraffic(environment, 'green', meta);
  await world.bot.deps.cluster.scale(environment, 'blue', 0, meta);
  const ns = world.cluster.namespaceOf(environment);
  await world.cluster.waitFor(() => world.cluster.listPods(ns, 'version=blue').length === 0, { timeoutMs: 60_000 });
}

const takeovers: number[] = [];
let appliedOnce = 0;
for (let trial = 0; trial < TRIALS; trial++) {
  const environment = environments[trial % environments.length]!;
  await reset(environment);
  const writesBefore = world.cluster.writes.length;
  const after = world.slack.latestMessage(ops)?.ts ?? '0';
  await world.driver.command({
    user: 'dave',
    channel: ops,
    text: `rollback --environment=${environment} --reason "bench trial ${trial}"`,
  });
  const approval = await until(async () =>
    world.slack.messages(ops).find((m) => m.ts > after && m.text.includes('Approval')),
  );
  await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: approval.ts, actionId: 'approval:approve' });
  const approvalId = /apr_[0-9a-f]{12}/.exec(JSON.stringify(approval.blocks))![0];
  const run = await until(async () =>
    query(
      `SELECT r.id, r.worker_id FROM runs r JOIN run_steps s ON s.run_id = r.id
      WHERE r.approval_id = $1 AND s.step_id = 'target-ready' AND s.status = 'running'`,
      [approvalId],
    ),
  );
  const pid = Number(String(run.worker_id).split(':')[1]);
  const victim = workers.find((w) => w.pid === pid);
  if (!victim) throw new Error(`bench: no worker process with pid ${pid}`);
  const killedAt = performance.now();
  await kill(victim);
  await until(
    async () =>
      (await query('SELECT resumed_count FROM runs WHERE id = $1', [run.id])).resumed_count >= 1 ? true : undefined,
    120_000,
  );
  const takeover = performance.now() - killedAt;
  takeovers.push(takeover);
  workers.splice(workers.indexOf(victim), 1, await startWorkerProcess(world, { jobs: {} }));
  const finished = await until(async () => {
    const row = await query('SELECT status FROM runs WHERE id = $1', [run.id]);
    return ['succeeded', 'failed', 'cancelled'].includes(row.status) ? row : undefined;
  });
  const ns = world.cluster.namespaceOf(environment);
  const writes = world.cluster.writes.slice(writesBefore).filter((w) => w.path.includes(`/namespaces/${ns}/`));
  const once =
    writes.filter((w) => w.path.endsWith('/services/eafix-gateway')).length === 1 &&
    writes.filter((w) => w.path.endsWith('/deployments/eafix-blue/scale')).length === 1;
  if (finished.status === 'succeeded' && once) appliedOnce += 1;
  console.log(
    `trial ${trial + 1}: ${environment} taken over after ${(takeover / 1000).toFixed(1)} s; run ${finished.status}; each change once: ${once}`,
  );
}

const sorted = [...takeovers].sort((a, b) => a - b);
console.log(
  `kill -9 → resumed over ${TRIALS} trials: median ${(median(takeovers) / 1000).toFixed(1)} s, min ${(sorted[0]! / 1000).toFixed(1)} s, p90 ${(percentile(sorted, 90) / 1000).toFixed(1)} s, max ${(sorted.at(-1)! / 1000).toFixed(1)} s (target ~15 s)`,
);
console.log(`  runs succeeded with each change applied once: ${appliedOnce}/${TRIALS}`);

for (const w of workers) await kill(w, 'SIGTERM');
await world.stop();
const pg = await import('pg');
const admin = new pg.default.Client({ connectionString: databaseUrl });
await admin.connect();
await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
await admin.end();
await deleteKeysWithPrefix(redisUrl, `eafix-bench:${schema}`);
process.exit(0);
