import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { botRoot, loadPolicy, parseEnv, startBot } from './bot.ts';
import type { Env, JobSettings, Logger, Policy, Role, RunningBot } from './bot.ts';
import { SlackDriver, SlackEmulator, type RateLimitConfig } from './slack/index.ts';
import { ClusterSimulator, seedEafixConfig, type Timing } from './cluster/index.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import { PagerDutyEmulator } from './pagerduty/index.ts';
import {
  PrometheusEmulator,
  exportPlatformState,
  seedEafixDiagnosis,
  seedEafixKpis,
  seedEafixReports,
} from './prometheus/index.ts';

export const SANDBOX_SIGNING_SECRET = 'sandbox-signing-secret';
export const SANDBOX_BOT_TOKEN = 'xoxb-sandbox-0000-token';
/** The sandbox's PagerDuty integration key (the emulator accepts only this one). */
export const SANDBOX_PAGERDUTY_KEY = 'SANDBOXPAGERDUTYROUTINGKEY000000';
export const examplePolicyPath = join(botRoot, 'config/eafix-policy.example.yml');

const manifestPath = join(botRoot, 'manifest.yml');

/** The bot scopes manifest.yml requests: what the sandbox's token is granted, as after installing the app. */
export function manifestScopes(path = manifestPath): string[] {
  const manifest = parseYaml(readFileSync(path, 'utf8')) as { oauth_config?: { scopes?: { bot?: string[] } } };
  return manifest.oauth_config?.scopes?.bot ?? [];
}

/** The sandbox workspace: four people, an on-call group and the runbook's channels. */
export function seedWorkspace(slack: SlackEmulator): void {
  for (const [name, realName] of [
    ['alice', 'Alice Ops'],
    ['bob', 'Bob Oncall'],
    ['carol', 'Carol Viewer'],
    ['dave', 'Dave Commander'],
  ] as const) {
    slack.addUser({ name, realName, id: `U0${name.toUpperCase()}` });
  }
  slack.addUsergroup({ handle: 'oncall', name: 'On-call engineers', users: ['U0BOB'], id: 'S0ONCALL' });
  slack.addUsergroup({ handle: 'senior-eng', name: 'Senior engineering', users: ['U0DAVE'], id: 'S0SENIOR' });
  const everyone = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'];
  for (const name of ['eafix-ops', 'eafix-incidents', 'security'])
    slack.addChannel({ name, members: everyone, botMember: true });
}

export interface SandboxWorld {
  slack: SlackEmulator;
  cluster: ClusterSimulator;
  /** The DR site's cluster (WorldOptions.drSite). */
  drCluster?: ClusterSimulator;
  /** Where incident escalation pages go. */
  pagerduty: PagerDutyEmulator;
  /** Where KPI and backup queries go (PROMETHEUS_URL), seeded with healthy EAFIX values. */
  prometheus: PrometheusEmulator;
  driver: SlackDriver;
  bot: RunningBot;
  env: Env;
  policy: Policy;
  stop(): Promise<void>;
}

export interface WorldOptions {
  databaseUrl: string;
  redisUrl: string;
  schema: string;
  redisPrefix: string;
  logger: Logger;
  policyPath?: string;
  policy?: Policy;
  role?: Role;
  rateLimits?: Partial<RateLimitConfig>;
  sweepIntervalMs?: number;
  /** Simulated cluster speed; tests make pods start in milliseconds. */
  clusterTiming?: Partial<Timing>;
  /** Job engine timings (tests compress outages, takeovers and reconcile rounds). */
  jobs?: JobSettings;
  /** Extra environment variables, e.g. database timeouts. */
  env?: Record<string, string>;
  /** Serve the cluster over HTTPS with a bearer token, as kubectl needs (the interactive sandbox). */
  clusterToken?: string;
  /** The bot's clock (tests move it forward to expire approvals); the system clock otherwise. */
  now?: () => Date;
  /**
   * A second simulated cluster for the `dr` environment (the DR site): the bot's kubeconfig gets a `dr`
   * context and the policy `kubernetes.sites.dr`, so everything on `dr` goes there.
   */
  drSite?: boolean;
}

/** Slack emulator + the real bot wired to it + a signed request driver: the sandbox and the e2e tests. */
export async function startSandboxWorld(options: WorldOptions): Promise<SandboxWorld> {
  const slack = new SlackEmulator({
    botToken: SANDBOX_BOT_TOKEN,
    signingSecret: SANDBOX_SIGNING_SECRET,
    scopes: manifestScopes(),
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  });
  await slack.start();
  seedWorkspace(slack);
  const prometheus = new PrometheusEmulator();
  await prometheus.start();
  seedEafixKpis(prometheus);
  seedEafixReports(prometheus);
  const policyPath = options.policyPath ?? examplePolicyPath;
  const env = parseEnv({
    SLACK_SIGNING_SECRET: SANDBOX_SIGNING_SECRET,
    SLACK_BOT_TOKEN: SANDBOX_BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    DATABASE_URL: options.databaseUrl,
    DATABASE_SCHEMA: options.schema,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: options.redisPrefix,
    EAFIX_CONFIG: policyPath,
    PAGERDUTY_ROUTING_KEY: SANDBOX_PAGERDUTY_KEY,
    PROMETHEUS_URL: prometheus.url,
    ...options.env,
  });
  const pagerduty = new PagerDutyEmulator({ routingKeys: [SANDBOX_PAGERDUTY_KEY] });
  await pagerduty.start();
  const loaded = options.policy ?? (await loadPolicy(policyPath));
  const policy: Policy = {
    ...loaded,
    incidents: {
      ...loaded.incidents,
      pagerduty: { ...loaded.incidents.pagerduty, url: `${pagerduty.url}/v2/enqueue` },
    },
  };
  // The newest backup finished five hours ago: fresh by the example policy's 26 h warning.
  if (policy.monitoring.backups) prometheus.setResult(policy.monitoring.backups.query, 5 * 3600);
  // What the diagnosis playbooks ask (latency, cache, resources, `up`), healthy everywhere.
  seedEafixDiagnosis(prometheus, policy.topology);
  const cluster = new ClusterSimulator({
    topology: policy.topology,
    ...(options.clusterTiming ? { timing: options.clusterTiming } : {}),
    ...(options.clusterToken ? { token: options.clusterToken, tls: true } : {}),
  });
  await cluster.start();
  seedEafixConfig(cluster, policy.topology);
  const drCluster = options.drSite
    ? new ClusterSimulator({
        topology: policy.topology,
        environments: ['dr'],
        ...(options.clusterTiming ? { timing: options.clusterTiming } : {}),
      })
    : undefined;
  await drCluster?.start();
  const kubeConfig = drCluster
    ? withSiteContext(cluster.kubeConfig(), drCluster.kubeConfig(), 'dr')
    : cluster.kubeConfig();
  if (drCluster)
    policy.kubernetes = { ...policy.kubernetes, sites: { ...policy.kubernetes.sites, dr: { context: 'dr' } } };
  // The platform's metrics follow what its toolbox Jobs do (trading stop, maintenance enable…).
  exportPlatformState(prometheus, cluster.workloads.platform, policy.topology.environments, policy.platform.metrics);
  let bot: RunningBot;
  try {
    bot = await startBot({
      env,
      policy,
      logger: options.logger,
      role: options.role ?? 'all',
      host: '127.0.0.1',
      kubeConfig,
      ...(options.sweepIntervalMs ? { sweepIntervalMs: options.sweepIntervalMs } : {}),
      ...(options.jobs ? { jobs: options.jobs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  } catch (error) {
    await cluster.stop();
    await drCluster?.stop();
    await pagerduty.stop();
    await prometheus.stop();
    await slack.stop();
    throw error;
  }
  const driver = new SlackDriver({
    emulator: slack,
    requestUrl: `http://127.0.0.1:${bot.port}/slack/events`,
    signingSecret: SANDBOX_SIGNING_SECRET,
  });
  return {
    slack,
    cluster,
    ...(drCluster ? { drCluster } : {}),
    pagerduty,
    prometheus,
    driver,
    bot,
    env,
    policy,
    stop: async () => {
      await bot.stop();
      await cluster.stop();
      await drCluster?.stop();
      await pagerduty.stop();
      await prometheus.stop();
      await slack.stop();
    },
  };
}

/** The primary kubeconfig with the DR site's cluster added as context `name`. */
function withSiteContext(primary: KubeConfig, site: KubeConfig, name: string): KubeConfig {
  const cluster = site.getCurrentCluster();
  const user = site.getCurrentUser();
  if (!cluster || !user) throw new Error('the DR site kubeconfig has no current cluster or user');
  primary.addCluster({ ...cluster, name });
  primary.addUser({ ...user, name });
  primary.addContext({ name, cluster: name, user: name });
  return primary;
}
