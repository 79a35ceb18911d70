/**
 * Slack Web API cost of a rollback, and the rollbacks per minute Slack's published limits allow, with the
 * bot writing through the durable outbox against the emulator's real limits (chat.postMessage ~1/s per
 * channel, Tier 2 = 20/min, Tier 3 = 50/min, Tier 4 = 100/min per method).
 * 1. SEQUENTIAL rollbacks one at a time: Web API calls per rollback, by method, each counted from the
 *    command until the outbox has delivered everything the rollback reported.
 * 2. The ceiling those counts imply under the tier limits (all requested in one channel), and a burst of
 *    BURST rollbacks at once, timed until every report has landed (sustained rollbacks/minute, 429s met).
 * Run: npm run bench -- slack-outbox
 */
import { loadPolicy } from '../src/config/policy.ts';
import { createLogger } from '../src/logger.ts';
import { DEFAULT_TIER_LIMITS, METHOD_TIERS } from '@eafix/sandbox/slack';
import { examplePolicyPath, startSandboxWorld, type SandboxWorld } from '@eafix/sandbox/sandbox-world';
import { deleteKeysWithPrefix } from '../src/redis/redis-connection.ts';
import { median } from './lib/stats.ts';

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 5);
const BURST = Number(process.env.BENCH_BURST ?? 20);

const policy = await loadPolicy(examplePolicyPath);
policy.topology.environments = Object.fromEntries(
  Array.from({ length: SEQUENTIAL + BURST }, (_, i) => [`env-${i}`, { namespace: `eafix-bench-${i}` }]),
);
policy.topology.services = policy.topology.services.slice(0, 1);
policy.rbac.channelRestrictions = {};
const schema = `bench_outbox_${process.pid}`;
const world: SandboxWorld = await startSandboxWorld({
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  schema,
  redisPrefix: `eafix-bench:${schema}`,
  logger: createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
  policy,
  clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 100 },
});
const ops = 'eafix-ops';

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 600_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('bench: timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const finishedRuns = async () =>
  (
    await world.bot.pool.query(
      `SELECT count(*)::int AS n FROM runs WHERE kind = 'rollback' AND status IN ('succeeded','failed','cancelled')`,
    )
  ).rows[0].n as number;
const drained = async () =>
  (await world.bot.pool.query(`SELECT count(*)::int AS n FROM slack_outbox WHERE state = 'pending'`)).rows[0].n === 0;
const approvalsFor = (envs: string[], after: number) =>
  world.slack
    .messages(ops)
    .slice(after)
    .filter(
      (m) =>
        m.text.includes('Approval') && envs.some((e) => new RegExp(`in ${e}(?![0-9])`).test(JSON.stringify(m.blocks))),
    );

// 1. One rollback at a time: its Web API calls, by method.
const perRollback: number[] = [];
const byMethod = new Map<string, number>();
for (let i = 0; i < SEQUENTIAL; i++) {
  const env = `env-${i}`;
  const callsBefore = world.slack.calls.length;
  const seen = world.slack.messages(ops).length;
  await world.driver.command({
    user: 'dave',
    channel: ops,
    text: `rollback --environment=${env} --reason "bench ${env}"`,
  });
  const [approval] = await until(() => {
    const a = approvalsFor([env], seen);
    return a.length ? a : undefined;
  });
  await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: approval!.ts, actionId: 'approval:approve' });
  await until(async () => (await finishedRuns()) >= i + 1);
  // The incident's war room and the run's report are delivered after the run: wait for all of it.
  await until(
    async () =>
      (await drained()) &&
      (
        await world.bot.pool.query(`SELECT 1 FROM incidents WHERE setup ? 'announced' AND description LIKE $1`, [
          `bench ${env} %`,
        ])
      ).rowCount === 1,
  );
  const calls = world.slack.calls.slice(callsBefore);
  perRollback.push(calls.length);
  for (const c of calls) byMethod.set(c.method, (byMethod.get(c.method) ?? 0) + 1 / SEQUENTIAL);
}
console.log(
  `Slack Web API calls per rollback (command → approval → run → report → war room), ${SEQUENTIAL} rollbacks: median ${median(perRollback)}, all ${JSON.stringify(perRollback)}`,
);
console.log(
  `  by method: ${[...byMethod]
    .sort((a, b) => b[1] - a[1])
    .map(([m, n]) => `${m} ${n.toFixed(1)}`)
    .join(', ')}`,
);

// 2a. The ceiling: each method's budget over what one rollback spends of it; posts in the one channel at 1/s.
const opsId = world.slack.channelId(ops);
const postsInOps =
  world.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.ok && c.args.channel === opsId).length /
  SEQUENTIAL;
const ceilings: Array<[string, number]> = [[`chat.postMessage in #${ops} (60/min)`, 60 / postsInOps]];
for (const [method, n] of byMethod) {
  const tier = METHOD_TIERS[method];
  if (tier)
    ceilings.push([
      `${method} (${tier}, ${DEFAULT_TIER_LIMITS[tier].perMinute}/min)`,
      DEFAULT_TIER_LIMITS[tier].perMinute / n,
    ]);
}
ceilings.sort((a, b) => a[1] - b[1]);
console.log(
  `Ceiling under Slack's tier limits: ${ceilings[0]![1].toFixed(1)} rollbacks/min, set by ${ceilings[0]![0]}; next: ${ceilings
    .slice(1, 4)
    .map(([m, r]) => `${m} ${r.toFixed(1)}`)
    .join('; ')}`,
);

// 2b. A burst: BURST rollbacks at once, timed until every report has landed.
const envs = Array.from({ length: BURST }, (_, i) => `env-${SEQUENTIAL + i}`);
const callsBefore = world.slack.calls.length;
const seen = world.slack.messages(ops).length;
const started = performance.now();
await Promise.all(
  envs.map((env) =>
    world.driver.command({ user: 'dave', channel: ops, text: `rollback --environment=${env} --reason "bench ${env}"` }),
  ),
);
const approvals = await until(() => {
  const a = approvalsFor(envs, seen);
  return a.length >= BURST ? a : undefined;
});
await Promise.all(
  approvals.map((a) =>
    world.driver.clickButton({ user: 'bob', channel: ops, messageTs: a.ts, actionId: 'approval:approve' }),
  ),
);
await until(async () => (await finishedRuns()) >= SEQUENTIAL + BURST);
const runsDoneMs = performance.now() - started;
await until(drained);
const reportedMs = performance.now() - started;
const burstCalls = world.slack.calls.slice(callsBefore);
const limited = burstCalls.filter((c) => c.status === 429);
const outcome = (await world.bot.pool.query(`SELECT status, count(*)::int AS n FROM runs GROUP BY status`)).rows;
const undelivered = (
  await world.bot.pool.query(
    `SELECT state, count(*)::int AS n FROM slack_outbox WHERE state <> 'delivered' GROUP BY state`,
  )
).rows;
console.log(
  `${BURST} rollbacks at once: runs ${JSON.stringify(Object.fromEntries(outcome.map((r) => [r.status, r.n])))} done in ${(runsDoneMs / 1000).toFixed(1)} s, every report landed after ${(reportedMs / 1000).toFixed(1)} s → ${(BURST / (reportedMs / 60_000)).toFixed(1)} rollbacks/min sustained`,
);
console.log(
  `  ${burstCalls.length} Web API calls (${(burstCalls.length / BURST).toFixed(1)} per rollback), 429s: ${limited.length} (${[...new Set(limited.map((c) => c.method))].join(', ') || 'none'}); outbox rows not delivered: ${JSON.stringify(undelivered)}`,
);

await world.stop();
const pg = await import('pg');
const admin = new pg.default.Client({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
});
await admin.connect();
await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
await admin.end();
await deleteKeysWithPrefix(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `eafix-bench:${schema}`);
process.exit(0);
