/**
 * Rollback runs end to end through Slack emulator, approval, BullMQ worker and cluster simulator.
 * 1. Approval click → first progress post in the thread (p50, p95; target p95 < 300 ms), against the
 *    round trip of one chat.postMessage measured in the same run.
 * 2. 200 concurrent rollbacks (one per environment): all complete; Slack calls per run; wall time.
 * Run: npm run bench -- rollback
 */
import { WebClient } from '@slack/web-api';
import { loadPolicy } from '../src/config/policy.ts';
import { createLogger } from '../src/logger.ts';
import { examplePolicyPath, SANDBOX_BOT_TOKEN, startSandboxWorld, type SandboxWorld } from '../src/sandbox/sandbox-world.ts';
import { median, percentile } from './support.ts';
import { deleteKeysWithPrefix } from '../src/redis/redis-connection.ts';

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 20);
/** Environments in all: the first SEQUENTIAL roll back one at a time, the other 200 all at once. */
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 220);

const policy = await loadPolicy(examplePolicyPath);
policy.topology.environments = Object.fromEntries(
  Array.from({ length: CONCURRENT }, (_, i) => [`env-${i}`, { namespace: `eafix-bench-${i}` }]),
);
policy.topology.services = policy.topology.services.slice(0, 1);
policy.rbac.channelRestrictions = {};
const schema = `bench_rollback_${process.pid}`;
const world: SandboxWorld = await startSandboxWorld({
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  schema,
  redisPrefix: `eafix-bench:${schema}`,
  logger: createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
  policy,
  rateLimits: { enabled: false },
  // 220 namespaces in one simulator: a slower reconcile tick keeps it from starving the bot of CPU.
  clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 250 },
});
const ops = 'eafix-ops';

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('bench: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function requestRollback(environment: string, user = 'dave') {
  const mine = new RegExp(`in ${environment}(?![0-9])`);
  await world.driver.command({ user, channel: ops, text: `rollback --environment=${environment} --reason "bench ${environment}"` });
  return until(() => world.slack.messages(ops).find((m) => m.text.includes('Approval') && mine.test(JSON.stringify(m.blocks))), 600_000);
}

// Baseline: one chat.postMessage round trip to the emulator.
const client = new WebClient(SANDBOX_BOT_TOKEN, { slackApiUrl: world.slack.apiUrl });
const baseline: number[] = [];
for (let i = 0; i < SEQUENTIAL; i++) {
  const t = performance.now();
  await client.chat.postMessage({ channel: 'security', text: `baseline ${i}` });
  baseline.push(performance.now() - t);
}

// 1. Click → first progress post, one rollback at a time.
const clickToProgress: number[] = [];
for (let i = 0; i < SEQUENTIAL; i++) {
  const environment = `env-${i}`;
  const approval = await requestRollback(environment);
  const started = performance.now();
  await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: approval.ts, actionId: 'approval:approve' });
  await until(() => world.slack.thread(ops, approval.ts).find((r) => r.text.includes('rollback') && r.text.includes('run_')), 30_000);
  clickToProgress.push(performance.now() - started);
  await until(async () => (await world.bot.pool.query(`SELECT 1 FROM runs WHERE input->>'environment' = $1 AND status = 'succeeded'`, [environment])).rowCount === 1);
}
const b50 = median(baseline);
const sorted = [...clickToProgress].sort((a, b) => a - b);
console.log(`click → first progress post over ${SEQUENTIAL} rollbacks: p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms (target p95 < 300 ms)`);
console.log(`  baseline chat.postMessage round trip p50 ${b50.toFixed(2)} ms; click→progress p50 = ${(percentile(sorted, 50) / b50).toFixed(1)}x baseline`);

// 2. Many rollbacks at once, each on its own environment. One poller maps approvals to environments,
// so the harness itself stays cheap while hundreds of requests are in flight.
const callsBefore = world.slack.calls.length;
const wallStart = performance.now();
const fresh = Array.from({ length: CONCURRENT - SEQUENTIAL }, (_, i) => `env-${SEQUENTIAL + i}`);
const seenBefore = world.slack.messages(ops).length;
await Promise.all(fresh.map((env) => world.driver.command({ user: 'dave', channel: ops, text: `rollback --environment=${env} --reason "bench ${env}"` })));
const approvals = await until(() => {
  const found = world.slack.messages(ops).slice(seenBefore).filter((m) => m.text.includes('Approval'));
  return found.length >= fresh.length ? found : undefined;
}, 600_000);
await Promise.all(approvals.map((a) => world.driver.clickButton({ user: 'bob', channel: ops, messageTs: a.ts, actionId: 'approval:approve' })));
await until(async () => {
  const done = (await world.bot.pool.query(`SELECT count(*)::int AS n FROM runs WHERE status IN ('succeeded','failed','cancelled')`)).rows[0].n as number;
  return done >= CONCURRENT ? done : undefined;
}, 600_000);
const wallMs = performance.now() - wallStart;
const outcome = (await world.bot.pool.query(`SELECT status, count(*)::int AS n FROM runs GROUP BY status`)).rows;
const calls = world.slack.calls.length - callsBefore;
const failures = (await world.bot.pool.query(`SELECT input->>'environment' AS env, error FROM runs WHERE status <> 'succeeded' LIMIT 3`)).rows;
if (failures.length) console.log(`  failures, e.g.: ${JSON.stringify(failures)}`);
console.log(`${fresh.length} concurrent rollbacks: ${JSON.stringify(Object.fromEntries(outcome.map((r) => [r.status, r.n])))} in ${(wallMs / 1000).toFixed(1)} s`);
console.log(`  Slack Web API calls per rollback (request, approval, run progress): ${(calls / fresh.length).toFixed(1)}`);

await world.stop();
const pg = await import('pg');
const admin = new pg.default.Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
await admin.connect();
await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
await admin.end();
await deleteKeysWithPrefix(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `eafix-bench:${schema}`);
process.exit(0);
