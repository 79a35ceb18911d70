/**
 * `npm run bench [-- ack click startup digest]`: the bot and its baselines as separate processes, driven
 * over HTTP from this process (the load generator), rounds interleaved; prints medians (min–max over
 * rounds) and ratios against baselines measured in the same run, and writes bench/results/<time>.json.
 * Env: BENCH_ROUNDS (5), BENCH_ROUND_MS (3000), BENCH_DIGEST_SIZES (10,200,1000,5000), BENCH_BUILD=0 to skip `npm run build`,
 * BENCH_ACK_COMMANDS (help,status) and BENCH_ACK_CONCURRENCY (1,10,50) to run some ack cells only,
 * BENCH_SETTLE_MS (60000; 0 skips) how long the startup scenario leaves idle processes before reading their RSS.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ackScenario, type AckCell } from './scenarios/ack.ts';
import { clickScenario, POD_READY_ENVIRONMENT, rollbackEnvironments } from './scenarios/click.ts';
import { digestScenario } from './scenarios/digest.ts';
import { coldStartScenario, rssOf, settledRssScenario } from './scenarios/startup.ts';
import { fmt, median, percentile, ratio, spread } from './lib/stats.ts';
import { startWorld } from './lib/world.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const all = ['ack', 'click', 'startup', 'digest'];
// Benches of their own (bench/<name>.bench.ts: slack-outbox, takeover) run only when named, each in its own process.
const standalone = process.argv.slice(2).filter((a) => existsSync(`${root}bench/${a}.bench.ts`));
for (const name of standalone) {
  execFileSync(process.execPath, ['--import', 'tsx', `${root}bench/${name}.bench.ts`], { cwd: root, stdio: 'inherit' });
}
if (standalone.length > 0 && standalone.length === process.argv.slice(2).length) process.exit(0);
const chosen = process.argv.slice(2).filter((a) => all.includes(a));
const run = (name: string) => chosen.length === 0 || chosen.includes(name);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 3_000);
const DIGEST_SIZES = (process.env.BENCH_DIGEST_SIZES ?? '10,200,1000,5000').split(',').map(Number);
const ACK_COMMANDS = (process.env.BENCH_ACK_COMMANDS ?? 'help,status').split(',');
/** How long the idle-RSS processes are left alone (0: skip). */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 60_000);
const ACK_CONCURRENCY = (process.env.BENCH_ACK_CONCURRENCY ?? '1,10,50').split(',').map(Number);
const log = (line: string) => console.log(line);

if (process.env.BENCH_BUILD !== '0') {
  log('building dist/ (the bot runs from the build, as in production; BENCH_BUILD=0 skips)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}

const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  loadAverage: loadavg(),
  rounds: ROUNDS,
  roundMs: ROUND_MS,
};

if (run('ack') || run('click') || run('startup')) {
  const world = await startWorld({ environments: [...rollbackEnvironments(ROUNDS), POD_READY_ENVIRONMENT] });
  try {
    const bot = await world.startBot();
    const bolt = await world.startBolt();
    const floor = await world.startFloor();
    const subjects = [bot, bolt, floor];
    await new Promise((r) => setTimeout(r, 5_000));
    results.idleRssMb = rssOf(subjects);

    if (run('ack')) {
      log(
        `\n## ack latency: ${ROUNDS} rounds of ${ROUND_MS} ms per cell, subjects interleaved; median (min–max) over rounds`,
      );
      const cells = await ackScenario(world.ws, subjects, {
        rounds: ROUNDS,
        roundMs: ROUND_MS,
        concurrencies: ACK_CONCURRENCY,
        commands: ACK_COMMANDS,
      });
      results.ack = cells;
      printAck(cells);
      results.afterLoadRssMb = rssOf(subjects);
    }
    if (run('click')) {
      log(`\n## approval click, ${ROUNDS} rollbacks (one environment each)`);
      const click = await clickScenario(world, bot, bolt, ROUNDS);
      results.click = click;
      log(
        `  click → first progress post   ${spread(click.clickToProgressMs)} ms   bare Bolt ack + thread post ${spread(click.boltClickToReplyMs)} ms   ratio ${fmt(ratio(click.clickToProgressMs.median, click.boltClickToReplyMs.median), 2)}x`,
      );
      log(
        `  click → first progress post p95 ${fmt(percentile(click.clickToProgressMs.rounds, 95))} ms   bare Bolt p95 ${fmt(percentile(click.boltClickToReplyMs.rounds, 95))} ms   ratio ${fmt(ratio(percentile(click.clickToProgressMs.rounds, 95), percentile(click.boltClickToReplyMs.rounds, 95)), 2)}x`,
      );
      // The first round is each process's first click (code not yet compiled); the p95 of a few rounds is it.
      const [botFirst, ...botLater] = click.clickToProgressMs.rounds;
      const [boltFirst, ...boltLater] = click.boltClickToReplyMs.rounds;
      if (botLater.length > 0)
        log(
          `    first click after start ${fmt(botFirst ?? NaN)} ms vs bare Bolt ${fmt(boltFirst ?? NaN)} ms; later rounds p50 ${fmt(median(botLater))} vs ${fmt(median(boltLater))} ms (${fmt(ratio(median(botLater), median(boltLater)), 2)}x), p95 ${fmt(percentile(botLater, 95))} vs ${fmt(percentile(boltLater, 95))} ms (${fmt(ratio(percentile(botLater, 95), percentile(boltLater, 95)), 2)}x)`,
        );
      log(
        `  rollback click → finished      ${spread(click.rollbackWallMs, 0)} ms   simulator pods 0→3 ready ${spread(click.podReadyMs, 0)} ms   ratio ${fmt(ratio(click.rollbackWallMs.median, click.podReadyMs.median), 2)}x`,
      );
      log(
        `    of which the run (click → its end recorded) ${spread(click.runEndedMs, 0)} ms   ratio ${fmt(ratio(click.runEndedMs.median, click.podReadyMs.median), 2)}x; approval posted → click ${spread(click.approvalToClickMs, 0)} ms (the "finished" reply is the channel's third post: Slack's 1/s budget)`,
      );
      if (click.postgresCpuMsPerRound !== undefined)
        log(`    PostgreSQL CPU per round (click, run, messages, audit) ${fmt(click.postgresCpuMsPerRound)} ms`);
      if (click.clusterIdleCpuMsPerS !== undefined)
        log(`    cluster simulator CPU while the world idles ${fmt(click.clusterIdleCpuMsPerS)} ms/s`);
    }
    const rss = results.idleRssMb as Record<string, number>;
    log(`\n## memory (RSS, MB)`);
    log(
      `  idle        eafix ${fmt(rss.eafix ?? NaN)}   bolt ${fmt(rss.bolt ?? NaN)}   floor ${fmt(rss.floor ?? NaN)}   ratio ${fmt(ratio(rss.eafix ?? NaN, rss.bolt ?? NaN), 2)}x`,
    );
    const loaded = results.afterLoadRssMb as Record<string, number> | undefined;
    if (loaded)
      log(
        `  after load  eafix ${fmt(loaded.eafix ?? NaN)}   bolt ${fmt(loaded.bolt ?? NaN)}   floor ${fmt(loaded.floor ?? NaN)}   ratio ${fmt(ratio(loaded.eafix ?? NaN, loaded.bolt ?? NaN), 2)}x`,
      );
    for (const s of subjects) await s.stop();

    if (run('startup')) {
      log(`\n## cold start (spawn → readiness answers 200), ${ROUNDS} starts each, interleaved`);
      const startup = await coldStartScenario(world, ROUNDS);
      results.startup = startup;
      log(
        `  eafix (all) ${spread(startup.botStartMs, 0)} ms   bare Bolt ${spread(startup.boltStartMs, 0)} ms   node:http ${spread(startup.floorStartMs, 0)} ms   ratio ${fmt(ratio(startup.botStartMs.median, startup.boltStartMs.median), 2)}x`,
      );
      log(
        `  eafix (web) ${spread(startup.webStartMs, 0)} ms   ratio ${fmt(ratio(startup.webStartMs.median, startup.boltStartMs.median), 2)}x bare Bolt; idle RSS ${spread(startup.webIdleRssMb)} MB`,
      );
      if (SETTLE_MS > 0) {
        log(`\n## idle RSS (MB) of processes started together and left alone`);
        const settled = await settledRssScenario(world, SETTLE_MS);
        results.settledRss = settled;
        log(`  seconds after start   ${settled.atSeconds.join(' / ')}`);
        for (const [name, values] of Object.entries(settled.rssMb))
          log(`  ${name.padEnd(20)}  ${values.map((v) => fmt(v)).join(' / ')}`);
      }
    }
  } finally {
    await world.stop();
  }
}

if (run('digest')) {
  log(`\n## digest: /eafix digest → posted, ${ROUNDS} rounds per size`);
  const points = await digestScenario(DIGEST_SIZES, ROUNDS, log);
  results.digest = points;
  for (const [i, p] of points.entries()) {
    const prev = points[i - 1];
    const growth = prev
      ? `   ×${fmt(ratio(p.digestMs.median, prev.digestMs.median), 2)} for ×${fmt(p.services / prev.services, 1)} services`
      : '';
    log(
      `  ${String(p.services).padStart(5)} services: ${spread(p.digestMs, 0)} ms, ${p.kubeRequestsPerDigest} Kubernetes requests${growth}`,
    );
  }
}

results.finishedAt = new Date().toISOString();
results.loadAverageAtEnd = loadavg();
mkdirSync(`${root}bench/results`, { recursive: true });
const file = `${root}bench/results/${(results.startedAt as string).replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
log(
  `\nload average at start ${(results.loadAverage as number[]).map((n) => n.toFixed(2)).join(' ')}, at end ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}; results: ${file}`,
);
process.exit(0);

function printAck(cells: AckCell[]): void {
  const find = (command: string, c: number, subject: string) =>
    cells.find((x) => x.command === command && x.concurrency === c && x.subject === subject);
  for (const command of ['help', 'status']) {
    for (const c of [1, 10, 50]) {
      const e = find(command, c, 'eafix');
      const b = find(command, c, 'bolt');
      const f = find(command, c, 'floor');
      if (!e || !b || !f) continue;
      log(
        `  ${command.padEnd(6)} c=${String(c).padEnd(2)} p50 ms: eafix ${spread(e.p50)} bolt ${spread(b.p50)} floor ${spread(f.p50)} → ${fmt(ratio(e.p50.median, b.p50.median), 2)}x bolt`,
      );
      log(
        `            p99 ms: eafix ${spread(e.p99)} bolt ${spread(b.p99)} floor ${spread(f.p99)} → ${fmt(ratio(e.p99.median, b.p99.median), 2)}x bolt`,
      );
      log(
        `            req/s: eafix ${spread(e.throughput, 0)} bolt ${spread(b.throughput, 0)} floor ${spread(f.throughput, 0)} → ${fmt(ratio(e.throughput.median, b.throughput.median), 2)}x bolt; CPU ms/req eafix ${fmt(e.cpuPerRequestMs.median, 2)} bolt ${fmt(b.cpuPerRequestMs.median, 2)}; unanswered eafix ${e.unanswered}/${e.requests} bolt ${b.unanswered}/${b.requests}`,
      );
    }
  }
}
