/**
 * A status digest for 200 services: how many Kubernetes requests it takes (counted by the cluster
 * simulator) and how long gathering and building it takes, against the same digest for 10 services
 * measured in the same run. Target: a constant number of list calls, not one per service.
 * Run: npm run bench -- digest
 */
import { loadPolicy, type Policy } from '../src/config/policy.ts';
import { createLogger } from '../src/logger.ts';
import { digestMessage } from '../src/handlers/monitoring/digest-message.ts';
import { gatherDigest } from '../src/handlers/monitoring/digest-snapshot.ts';
import { examplePolicyPath, startSandboxWorld } from '../src/sandbox/sandbox-world.ts';
import { median } from './support.ts';
import { deleteKeysWithPrefix } from '../src/redis/redis-connection.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const logger = createLogger({ level: 'silent' });

async function policyWith(services: number): Promise<Policy> {
  const policy = await loadPolicy(examplePolicyPath);
  policy.topology.environments = { production: { namespace: 'eafix-production' } };
  policy.topology.services = Array.from({ length: services }, (_, i) => {
    const name = `svc-${String(i + 1).padStart(3, '0')}`;
    return { name, deployment: `eafix-${name}`, appLabel: `eafix-${name}`, replicas: { min: 1, max: 4, default: 2 }, image: 'registry.eafix.local/eafix/service:1.0.0' };
  });
  return policy;
}

interface Result {
  services: number;
  pods: number;
  medianMs: number;
  /** The cluster read alone (one deployment list, one pod list, deserialised by client-node). */
  statusMs: number;
  requests: number;
  lists: number;
  blocks: number;
}

async function measure(services: number): Promise<Result> {
  const schema = `bench_digest_${services}_${process.pid}`;
  const world = await startSandboxWorld({
    policy: await policyWith(services),
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    schema,
    redisPrefix: `eafix-bench:${schema}`,
    logger,
    rateLimits: { enabled: false },
  });
  try {
    await world.cluster.settle({ timeoutMs: 60_000 });
    const deps = world.bot.deps;
    const spec = { ...deps.monitoring!.digests.find((d) => d.name === 'daily')!, environment: 'production' };
    const digest = async () => digestMessage(await gatherDigest(deps, deps.monitoring!, spec, logger));
    for (let i = 0; i < 3; i++) await digest(); // warm: JIT, connection pools

    const before = world.cluster.requests.length;
    const message = await digest();
    const made = world.cluster.requests.slice(before);
    const lists = made.filter((r) => r.method === 'GET' && /\/(deployments|pods|services|endpoints|events)$/.test(r.path)).length;

    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const started = performance.now();
      await digest();
      times.push(performance.now() - started);
    }
    const statusTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const started = performance.now();
      await deps.cluster.status('production');
      statusTimes.push(performance.now() - started);
    }
    return { services, pods: world.cluster.listPods('eafix-production').length, medianMs: median(times), statusMs: median(statusTimes), requests: made.length, lists, blocks: message.blocks.length };
  } finally {
    await world.bot.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await world.stop();
    await deleteKeysWithPrefix(world.env.REDIS_URL, `eafix-bench:${schema}`).catch(() => undefined);
  }
}

const baseline = await measure(10);
const large = await measure(200);
console.log(`digest (health, live colour, trading, 9 KPIs, incidents, approvals, runs, backups): median of ${ROUNDS} runs`);
for (const r of [baseline, large]) {
  console.log(`  ${String(r.services).padStart(3)} services (${r.pods} pods): ${r.medianMs.toFixed(1)} ms (cluster read alone ${r.statusMs.toFixed(1)} ms), ${r.requests} Kubernetes requests of which ${r.lists} list calls, ${r.blocks} blocks`);
}
console.log(`  ratio 200/10: time ${(large.medianMs / baseline.medianMs).toFixed(2)}x, Kubernetes requests ${large.requests}/${baseline.requests} (constant: ${large.requests === baseline.requests && large.lists === baseline.lists ? 'yes' : 'NO'})`);
process.exit(large.requests === baseline.requests && large.lists === baseline.lists ? 0 : 1);
