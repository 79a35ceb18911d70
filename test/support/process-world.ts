import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ClusterSimulator, type Timing } from '@eafix/sandbox/cluster';
import { PagerDutyEmulator } from '@eafix/sandbox/pagerduty';
import { PrometheusEmulator, seedEafixKpis } from '@eafix/sandbox/prometheus';
import { SlackDriver, SlackEmulator } from '@eafix/sandbox/slack';
import {
  SANDBOX_BOT_TOKEN,
  SANDBOX_PAGERDUTY_KEY,
  SANDBOX_SIGNING_SECRET,
  examplePolicyPath,
  manifestScopes,
  seedWorkspace,
} from '@eafix/sandbox/sandbox-world';
import { loadPolicy, type Policy } from '../../src/config/policy.ts';
import type { CompiledBot } from './compiled-bot.ts';
import { isolate, type Isolation } from './isolation.ts';

/**
 * The emulators (Slack, cluster, Prometheus, PagerDuty) in the test process, on a schema and Redis prefix
 * of the test's own, for bots that run as processes of their own: nothing of the bot runs in here.
 */
export interface ProcessWorld {
  slack: SlackEmulator;
  cluster: ClusterSimulator;
  prometheus: PrometheusEmulator;
  pagerduty: PagerDutyEmulator;
  policy: Policy;
  isolation: Isolation;
  /** The environment a bot process gets (a Deployment's env and secret). */
  env: Record<string, string>;
  /** A pool on the test's schema, for assertions. */
  db: pg.Pool;
  /** Signed Slack requests to one web process. */
  driverFor(bot: CompiledBot): SlackDriver;
  stop(): Promise<void>;
}

export interface ProcessWorldOptions {
  /** Changes to the example policy (its parsed YAML), written to a file the processes read. */
  policy?: (document: Record<string, unknown>) => void;
  clusterTiming?: Partial<Timing>;
  /** Overrides of the processes' environment (e.g. DATABASE_URL through a pooler). */
  env?: Record<string, string>;
}

export async function startProcessWorld(label: string, options: ProcessWorldOptions = {}): Promise<ProcessWorld> {
  const isolation = isolate(label);
  const dir = await mkdtemp(join(tmpdir(), 'eafix-processes-'));
  const document = parseYaml(await readFile(examplePolicyPath, 'utf8')) as Record<string, unknown>;
  const pagerduty = new PagerDutyEmulator({ routingKeys: [SANDBOX_PAGERDUTY_KEY] });
  await pagerduty.start();
  const incidents = document.incidents as { pagerduty: { url: string } };
  incidents.pagerduty.url = `${pagerduty.url}/v2/enqueue`;
  options.policy?.(document);
  const policyPath = join(dir, 'policy.yml');
  await writeFile(policyPath, stringifyYaml(document));
  const policy = await loadPolicy(policyPath);

  const slack = new SlackEmulator({
    botToken: SANDBOX_BOT_TOKEN,
    signingSecret: SANDBOX_SIGNING_SECRET,
    scopes: manifestScopes(),
  });
  await slack.start();
  seedWorkspace(slack);
  const prometheus = new PrometheusEmulator();
  await prometheus.start();
  seedEafixKpis(prometheus);
  if (policy.monitoring.backups) prometheus.setResult(policy.monitoring.backups.query, 5 * 3600);
  const cluster = new ClusterSimulator({
    topology: policy.topology,
    ...(options.clusterTiming ? { timing: options.clusterTiming } : {}),
  });
  await cluster.start();
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  await writeFile(kubeconfig, cluster.kubeconfigYaml());

  const env: Record<string, string> = {
    SLACK_SIGNING_SECRET: SANDBOX_SIGNING_SECRET,
    SLACK_BOT_TOKEN: SANDBOX_BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: isolation.databaseUrl,
    DATABASE_SCHEMA: isolation.schema,
    REDIS_URL: isolation.redisUrl,
    REDIS_PREFIX: isolation.redisPrefix,
    EAFIX_CONFIG: policyPath,
    KUBECONFIG: kubeconfig,
    PAGERDUTY_ROUTING_KEY: SANDBOX_PAGERDUTY_KEY,
    PROMETHEUS_URL: prometheus.url,
    // A worker that goes away is noticed within seconds (production: 10 s lock, 5 s stalled check).
    RUN_LOCK_DURATION_MS: '1000',
    RUN_STALLED_INTERVAL_MS: '500',
    ...options.env,
  };
  const db = new pg.Pool({ connectionString: isolation.databaseUrl, options: `-c search_path=${isolation.schema}` });
  db.on('error', () => undefined);
  return {
    slack,
    cluster,
    prometheus,
    pagerduty,
    policy,
    isolation,
    env,
    db,
    driverFor: (bot) =>
      new SlackDriver({
        emulator: slack,
        requestUrl: `http://127.0.0.1:${bot.port}/slack/events`,
        signingSecret: SANDBOX_SIGNING_SECRET,
      }),
    async stop() {
      await cluster.stop();
      await pagerduty.stop();
      await prometheus.stop();
      await slack.stop();
      await db.end();
      await isolation.cleanup();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
