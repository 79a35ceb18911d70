import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { createLogger, type Logger } from '../logger.ts';
import { startEmbeddedPostgres, type EmbeddedService } from './embedded-postgres.ts';
import { startEmbeddedRedis } from './embedded-redis.ts';
import { examplePolicyPath, startSandboxWorld } from './sandbox-world.ts';
import { loadPolicy, type Policy } from '../config/policy.ts';
import { SandboxConsole } from './sandbox-console.ts';
import { deleteKeysWithPrefix } from '../redis/redis-connection.ts';

export interface SandboxOptions {
  scriptPath?: string | undefined;
  write?: (line: string) => void;
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Sandbox time: escalation and reminders in seconds, so a demo shows them without a 15-minute wait. */
function sandboxPolicy(policy: Policy): Policy {
  const minutes = (n: number) => n * 60_000;
  return {
    ...policy,
    incidents: {
      ...policy.incidents,
      escalation: { ...policy.incidents.escalation, level2After: 10_000, level3After: 20_000 },
      updateInterval: { critical: minutes(2), high: minutes(2), medium: minutes(2), low: minutes(2) },
      securityResponseTime: { critical: minutes(1), high: minutes(2), medium: minutes(4), low: minutes(8) },
    },
    // The example's short `pulse` digest is off in real deployments and on here, so a schedule visibly posts.
    digests: policy.digests.map((d) => ({ ...d, enabled: true })),
  };
}

/** The cluster's kubeconfig (CA and token) for kubectl, private to the user. */
async function writeSandboxKubeconfig(yaml: string): Promise<string> {
  const path = resolve('.sandbox-data/kubeconfig');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, yaml, { mode: 0o600 });
  return path;
}

async function backingServices(logger: Logger, write: (line: string) => void) {
  const started: EmbeddedService[] = [];
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    write('(starting embedded PostgreSQL — set DATABASE_URL to use your own)');
    const pgService = await startEmbeddedPostgres('.sandbox-data/postgres', logger);
    started.push(pgService);
    databaseUrl = pgService.url;
  }
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startEmbeddedRedis(logger);
    started.push(redis);
    redisUrl = redis.url;
  }
  return { databaseUrl, redisUrl, stop: async () => { for (const s of started.reverse()) await s.stop(); } };
}

/**
 * `eafix sandbox`: the real bot against the Slack emulator, with embedded PostgreSQL and Redis unless
 * DATABASE_URL / REDIS_URL are set. Interactive by default; `--script FILE` plays a file and exits
 * (non-zero when a line failed), each script run on a fresh schema so demos are repeatable.
 */
export async function runSandbox(options: SandboxOptions): Promise<number> {
  const write = options.write ?? ((line: string) => console.log(line));
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', pretty: process.stdout.isTTY });
  const services = await backingServices(logger, write);
  const scripted = Boolean(options.scriptPath);
  const schema = scripted ? `eafix_script_${randomBytes(3).toString('hex')}` : 'eafix_sandbox';
  const world = await startSandboxWorld({
    policy: sandboxPolicy(await loadPolicy(examplePolicyPath)),
    databaseUrl: services.databaseUrl,
    redisUrl: services.redisUrl,
    schema,
    redisPrefix: `eafix-sandbox:${schema}`,
    logger,
    clusterToken: randomBytes(16).toString('hex'),
  });
  const kubeconfig = await writeSandboxKubeconfig(world.cluster.kubeconfigYaml('eafix-production'));
  const shell = new SandboxConsole(world, write);
  write(`EAFIX sandbox: Slack emulator at ${world.slack.url}, bot at http://127.0.0.1:${world.bot.port}. Users: alice, bob, carol, dave. Type help.`);
  write(`(simulated cluster at ${world.cluster.url}: KUBECONFIG=${kubeconfig} kubectl get pods -n eafix-production)`);
  write('(sandbox time: unacknowledged incidents escalate to level 2 after 10 s and level 3 after 20 s; updates are due every 2 min)');
  write(`(digests on a schedule: ${world.policy.digests.map((d) => `${d.name} "${d.cron}" ${d.timezone} → #${d.channel}`).join('; ')}; KPIs from the Prometheus emulator at ${world.prometheus.url})`);
  world.pagerduty.on('event', (e) => write(`[pagerduty] ${e.event_action} ${e.dedup_key}${e.payload ? `: ${e.payload.summary}` : ''} (${e.outcome})`));
  try {
    if (options.scriptPath) {
      const lines = (await readFile(options.scriptPath, 'utf8')).split('\n');
      for (const line of lines) {
        if (line.trim()) write(line.trim().startsWith('#') ? line : `> ${line}`);
        await shell.execute(line);
      }
    } else {
      await interactive(shell, write);
    }
  } finally {
    await world.stop();
    if (scripted) {
      await dropSchema(services.databaseUrl, schema).catch(() => undefined);
      await deleteKeysWithPrefix(services.redisUrl, `eafix-sandbox:${schema}`).catch(() => undefined);
    }
    await services.stop();
  }
  return shell.failures > 0 ? 1 : 0;
}

async function interactive(shell: SandboxConsole, write: (line: string) => void): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: shell.prompt });
  rl.prompt();
  for await (const line of rl) {
    if (line.trim() === 'quit' || line.trim() === 'exit') break;
    await shell.execute(line);
    rl.setPrompt(shell.prompt);
    rl.prompt();
  }
  rl.close();
  write('bye');
}
