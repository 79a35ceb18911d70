import { fileURLToPath } from 'node:url';
import type { Env } from '../config/env.ts';
import { parseEnv } from '../config/env.ts';
import { loadPolicy, type Policy } from '../config/policy.ts';
import type { Logger } from '../logger.ts';
import { startBot, type RunningBot, type Role } from '../start-bot.ts';
import { SlackDriver, SlackEmulator, type RateLimitConfig } from './slack/index.ts';

export const SANDBOX_SIGNING_SECRET = 'sandbox-signing-secret';
export const SANDBOX_BOT_TOKEN = 'xoxb-sandbox-0000-token';
export const examplePolicyPath = fileURLToPath(new URL('../../config/eafix-policy.example.yml', import.meta.url));

/** The sandbox workspace: four people, an on-call group and the runbook's channels. */
export function seedWorkspace(slack: SlackEmulator): void {
  for (const [name, realName] of [['alice', 'Alice Ops'], ['bob', 'Bob Oncall'], ['carol', 'Carol Viewer'], ['dave', 'Dave Commander']] as const) {
    slack.addUser({ name, realName, id: `U0${name.toUpperCase()}` });
  }
  slack.addUsergroup({ handle: 'oncall', name: 'On-call engineers', users: ['U0BOB'], id: 'S0ONCALL' });
  const everyone = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'];
  for (const name of ['eafix-ops', 'eafix-incidents', 'security']) slack.addChannel({ name, members: everyone, botMember: true });
}

export interface SandboxWorld {
  slack: SlackEmulator;
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
}

/** Slack emulator + the real bot wired to it + a signed request driver: the sandbox and the e2e tests. */
export async function startSandboxWorld(options: WorldOptions): Promise<SandboxWorld> {
  const slack = new SlackEmulator({
    botToken: SANDBOX_BOT_TOKEN,
    signingSecret: SANDBOX_SIGNING_SECRET,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  });
  await slack.start();
  seedWorkspace(slack);
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
  });
  const policy = options.policy ?? (await loadPolicy(policyPath));
  let bot: RunningBot;
  try {
    bot = await startBot({
      env,
      policy,
      logger: options.logger,
      role: options.role ?? 'all',
      host: '127.0.0.1',
      ...(options.sweepIntervalMs ? { sweepIntervalMs: options.sweepIntervalMs } : {}),
    });
  } catch (error) {
    await slack.stop();
    throw error;
  }
  const driver = new SlackDriver({ emulator: slack, requestUrl: `http://127.0.0.1:${bot.port}/slack/events`, signingSecret: SANDBOX_SIGNING_SECRET });
  return {
    slack,
    driver,
    bot,
    env,
    policy,
    stop: async () => {
      await bot.stop();
      await slack.stop();
    },
  };
}
