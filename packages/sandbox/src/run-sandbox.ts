import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { createLogger, deleteKeysWithPrefix, DigestScheduler, loadPolicy, type Logger, type Policy } from './bot.ts';
import { startEmbeddedPostgres, type EmbeddedService } from './embedded-postgres.ts';
import { startEmbeddedRedis } from './embedded-redis.ts';
import { examplePolicyPath, startSandboxWorld, type SandboxWorld } from './sandbox-world.ts';
import { SandboxConsole } from './sandbox-console.ts';

export interface SandboxOptions {
  scriptPath?: string | undefined;
  /** Throw away the embedded PostgreSQL's data directory too, not only the sandbox's schema. */
  fresh?: boolean | undefined;
  /** Default DATABASE_URL / REDIS_URL; without either, embedded servers are started. */
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  write?: (line: string) => void;
}

const EMBEDDED_PG_DIR = '.sandbox-data/postgres-17';

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
      // A security incident escalates at its response time (level 2) and twice it (level 3).
      securityResponseTime: { critical: 10_000, high: 20_000, medium: 40_000, low: 80_000 },
    },
    // A deploy watches its KPIs for seconds, not the runbook's five minutes.
    platform: {
      ...policy.platform,
      deploy: { ...policy.platform.deploy, monitorSeconds: 5, monitorIntervalSeconds: 1 },
    },
    // Scheduled digests would post into the middle of what you type: off until `/digests on`.
    digests: policy.digests.map((d) => ({ ...d, enabled: false })),
  };
}

/** `/digests on|off`: the policy's digests on their schedules (the sandbox's `pulse` posts every minute). */
async function switchDigests(world: SandboxWorld, logger: Logger, on: boolean): Promise<string> {
  const scheduler = new DigestScheduler({ connection: world.bot.redis, prefix: world.env.REDIS_PREFIX, logger });
  try {
    // The bot's reconcile pass re-syncs schedules from this same policy (the array is shared with the
    // running bot): switched only in a copy, the next pass would remove the schedules again.
    for (const digest of world.policy.digests) digest.enabled = on;
    const { upserted } = await scheduler.sync(world.policy.digests);
    return on
      ? `digests on: ${world.policy.digests.map((d) => `${d.name} "${d.cron}" ${d.timezone} → #${d.channel}`).join('; ')}`
      : `digests off${upserted.length ? '' : ' (no schedule left)'}`;
  } finally {
    await scheduler.close();
  }
}

/** The cluster's kubeconfig (CA and token) for kubectl, private to the user. */
async function writeSandboxKubeconfig(yaml: string): Promise<string> {
  const path = resolve('.sandbox-data/kubeconfig');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, yaml, { mode: 0o600 });
  return path;
}

async function backingServices(logger: Logger, write: (line: string) => void, options: SandboxOptions) {
  const started: EmbeddedService[] = [];
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    write('(starting embedded PostgreSQL — set DATABASE_URL to use your own)');
    if (options.fresh) await rm(EMBEDDED_PG_DIR, { recursive: true, force: true });
    const pgService = await startEmbeddedPostgres(EMBEDDED_PG_DIR, logger);
    started.push(pgService);
    databaseUrl = pgService.url;
  }
  let redisUrl = options.redisUrl;
  if (!redisUrl) {
    const redis = await startEmbeddedRedis(logger);
    started.push(redis);
    redisUrl = redis.url;
  }
  return {
    databaseUrl,
    redisUrl,
    stop: async () => {
      for (const s of started.reverse()) await s.stop();
    },
  };
}

/**
 * `eafix sandbox`: the real bot against the Slack emulator, with embedded PostgreSQL and Redis unless
 * DATABASE_URL / REDIS_URL are set. Interactive by default; `--script FILE` plays a file and exits
 * (non-zero when a line failed). Every start is a clean world: the Slack workspace, the cluster and the
 * queues live in memory, so the database schema starts afresh too rather than pointing at war rooms
 * and runs that no longer exist. Scripts get a schema of their own, dropped afterwards.
 */
export async function runSandbox(options: SandboxOptions): Promise<number> {
  const write = options.write ?? ((line: string) => console.log(line));
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', pretty: process.stdout.isTTY });
  const services = await backingServices(logger, write, options);
  const scripted = Boolean(options.scriptPath);
  const schema = scripted ? `eafix_script_${randomBytes(3).toString('hex')}` : 'eafix_sandbox';
  const redisPrefix = `eafix-sandbox:${schema}`;
  const policy = sandboxPolicy(await loadPolicy(examplePolicyPath));
  // kubectl needs HTTPS and a token; one token for the whole session, so the kubeconfig survives `reset`.
  const clusterToken = randomBytes(16).toString('hex');
  const clean = async () => {
    await dropSchema(services.databaseUrl, schema);
    await deleteKeysWithPrefix(services.redisUrl, redisPrefix);
  };
  const open = async () => {
    // Each world its own digest specs: `/digests on` switches them in place, and a reset starts off.
    const started = await startSandboxWorld({
      policy: { ...policy, digests: policy.digests.map((d) => ({ ...d })) },
      databaseUrl: services.databaseUrl,
      redisUrl: services.redisUrl,
      schema,
      redisPrefix,
      logger,
      clusterToken,
    });
    started.pagerduty.on('event', (e) =>
      write(`[pagerduty] ${e.event_action} ${e.dedup_key}${e.payload ? `: ${e.payload.summary}` : ''} (${e.outcome})`),
    );
    return started;
  };
  let world: SandboxWorld | undefined;
  let shell: SandboxConsole | undefined;
  try {
    await clean();
    world = await open();
    shell = new SandboxConsole(world, write, {
      reset: async () => {
        await world?.stop();
        world = undefined;
        await clean();
        world = await open();
        // A new cluster has a new CA: the kubeconfig follows it.
        await writeSandboxKubeconfig(world.cluster.kubeconfigYaml('eafix-production'));
        return world;
      },
      digests: (on) => switchDigests(world as SandboxWorld, logger, on),
    });
    write(
      `EAFIX sandbox: Slack emulator at ${world.slack.url}, bot at http://127.0.0.1:${world.bot.port}. Users: alice, bob, carol, dave. Type help.`,
    );
    const kubeconfig = await writeSandboxKubeconfig(world.cluster.kubeconfigYaml('eafix-production'));
    write(`(simulated cluster at ${world.cluster.url}: KUBECONFIG=${kubeconfig} kubectl get pods -n eafix-production)`);
    write(
      '(sandbox time: unacknowledged incidents escalate to level 2 after 10 s and level 3 after 20 s; updates are due every 2 min)',
    );
    write(
      `(scheduled digests are off until \`/digests on\` (${world.policy.digests.map((d) => `${d.name} "${d.cron}"`).join(', ')}); KPIs from the Prometheus emulator at ${world.prometheus.url})`,
    );
    if (options.scriptPath) {
      const lines = (await readFile(options.scriptPath, 'utf8')).split('\n');
      for (const line of lines) {
        if (line.trim() && !line.trim().startsWith('#') && !SandboxConsole.isExpectation(line)) shell.conclude();
        if (line.trim()) write(line.trim().startsWith('#') ? line : `> ${line}`);
        await shell.execute(line);
      }
      shell.conclude();
      write(
        shell.failures > 0
          ? `(script failed: ${shell.failures} line(s) ended in an error or an unmet expectation)`
          : '(script passed)',
      );
    } else {
      await interactive(shell, write);
    }
  } finally {
    await world?.stop();
    if (scripted) await clean().catch(() => undefined);
    await services.stop();
  }
  return (shell?.failures ?? 1) > 0 ? 1 : 0;
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
