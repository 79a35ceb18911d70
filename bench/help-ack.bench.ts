/**
 * `/eafix help` acknowledgement latency through the real bot (signature check, parsing, RBAC, audit row
 * in PostgreSQL) against a bare Bolt app that only acks, measured in the same run on the same machine.
 * Target: p99 within 1.5x of the bare app. Run: npm run bench -- help-ack
 */
import { App, HTTPReceiver } from '@slack/bolt';
import { createLogger } from '../src/logger.ts';
import { startSandboxWorld, SANDBOX_BOT_TOKEN, SANDBOX_SIGNING_SECRET } from '../src/sandbox/sandbox-world.ts';
import { load, median, percentile, signedForm } from './support.ts';
import { deleteKeysWithPrefix } from '../src/redis/redis-connection.ts';

const TOTAL = Number(process.env.BENCH_REQUESTS ?? 600);
const CONCURRENCY = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const world = await startSandboxWorld({
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  schema: `bench_help_${process.pid}`,
  redisPrefix: `eafix-bench:${process.pid}`,
  logger: createLogger({ level: 'silent' }),
  rateLimits: { enabled: false },
});

const bareReceiver = new HTTPReceiver({ signingSecret: SANDBOX_SIGNING_SECRET });
const bare = new App({ token: SANDBOX_BOT_TOKEN, receiver: bareReceiver, clientOptions: { slackApiUrl: world.slack.apiUrl } });
bare.command('/eafix', async ({ ack }) => ack());
await bare.start(0);
const barePort = (bareReceiver as unknown as { server: { address(): { port: number } } }).server.address().port;

const users = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'];
const command = (i: number) =>
  signedForm(SANDBOX_SIGNING_SECRET, {
    token: 'x', team_id: world.slack.teamId, team_domain: 'eafix', channel_id: world.slack.channelId('eafix-ops'),
    channel_name: 'eafix-ops', user_id: users[i % users.length] as string, user_name: 'bench', command: '/eafix',
    text: 'help', api_app_id: world.slack.appId, response_url: `${world.slack.url}/response/bench`, trigger_id: `t${i}`,
  });

const targets = {
  bare: `http://127.0.0.1:${barePort}/slack/events`,
  eafix: `http://127.0.0.1:${world.bot.port}/slack/events`,
};
// Warm both (JIT, connection pools, the user group cache).
for (const url of Object.values(targets)) await load(url, 200, CONCURRENCY, command);

const results: Record<string, { p50: number[]; p99: number[] }> = { bare: { p50: [], p99: [] }, eafix: { p50: [], p99: [] } };
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, url] of Object.entries(targets)) {
    const latencies = await load(url, TOTAL, CONCURRENCY, command);
    results[name]!.p50.push(percentile(latencies, 50));
    results[name]!.p99.push(percentile(latencies, 99));
  }
}
const fmt = (n: number) => `${n.toFixed(2)} ms`;
const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { p50: median(v.p50), p99: median(v.p99) }]));
console.log(`help ack latency: ${TOTAL} signed requests x ${ROUNDS} rounds, ${CONCURRENCY} concurrent (median of rounds)`);
for (const [name, s] of Object.entries(summary)) console.log(`  ${name.padEnd(6)} p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}`);
const ratio = summary.eafix!.p99 / summary.bare!.p99;
console.log(`  ratio  p50 ${(summary.eafix!.p50 / summary.bare!.p50).toFixed(2)}x  p99 ${ratio.toFixed(2)}x  (target p99 <= 1.5x)`);
const rows = await world.bot.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'help'`);
console.log(`  audit rows written: ${rows.rows[0].n}`);

await bare.stop();
await world.bot.pool.query(`DROP SCHEMA IF EXISTS bench_help_${process.pid} CASCADE`);
await world.stop();
await deleteKeysWithPrefix(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `eafix-bench:${process.pid}`);
process.exit(0);
