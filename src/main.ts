import { parseArgs } from 'node:util';
import { parseEnv, type Env } from './config/env.ts';
import { ConfigError } from './config/format-issues.ts';
import { loadPolicy } from './config/policy.ts';
import { createLogger, type Logger } from './logger.ts';
import type { Role } from './start-bot.ts';
import { SHUTDOWN_DEADLINE_MS } from './shutdown-deadline.ts';

const usage = `Usage: eafix [web|worker|all]            run the bot (default: all)
       eafix sandbox [--script FILE] [--fresh]
                                         run the bot against local emulators, with a console
                                         (--fresh also wipes the embedded PostgreSQL's data;
                                         a development checkout only: packages/sandbox)
       eafix check-config [POLICY_FILE]  run every start-up check without a database, Redis or Slack:
                                         the environment and EAFIX_CONFIG, or only the file given;
                                         lists every problem and exits 1 if there is one`;

/** Runs until SIGTERM/SIGINT, then shuts down within a bounded time. */
function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    force.unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

async function loadConfiguration(): Promise<{ env: Env; policy: Awaited<ReturnType<typeof loadPolicy>> }> {
  const problems: string[] = [];
  let env: Env | undefined;
  try {
    env = parseEnv(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map((p) => `environment: ${p}`));
  }
  const policyPath = env?.EAFIX_CONFIG ?? process.env.EAFIX_CONFIG;
  let policy;
  if (policyPath) {
    try {
      policy = await loadPolicy(policyPath);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((p) => `${error.source}: ${p}`));
    }
  }
  if (problems.length > 0 || !env || !policy) throw new ConfigError('configuration', problems);
  return { env, policy };
}

/** `eafix check-config`: a CI gate for policy changes. */
async function runCheckConfig(policyPath: string | undefined): Promise<number> {
  const { checkConfig } = await import('./check-config.ts');
  const report = await checkConfig(policyPath ? { policyPath } : { env: process.env });
  const problems = [
    ...report.errors,
    ...report.warnings.map((w) => `${w} (warning: the bot starts, but this does nothing)`),
  ];
  if (problems.length === 0) {
    console.log(`Configuration is valid (${report.checked.join(', ')}).`);
    return 0;
  }
  console.error(`eafix: ${problems.length} configuration problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return 1;
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0] ?? 'all';
  if (values.help) {
    console.log(usage);
    return;
  }
  if (command === 'check-config') {
    process.exitCode = await runCheckConfig(positionals[1]);
    return;
  }
  if (!['web', 'worker', 'all'].includes(command)) {
    console.error(`Unknown command "${command}".\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const { env, policy } = await loadConfiguration();
  const logger = createLogger({ level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  // From here on every line is a log record, failures included.
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));
  try {
    // Loaded once the configuration is known to be good: a mistake is reported without loading the whole bot.
    const { startBot } = await import('./start-bot.ts');
    const bot = await startBot({ env, policy, logger, role: command as Role });
    onShutdown(logger, bot.stop);
  } catch (err) {
    logger.fatal({ err }, 'failed to start');
    process.exit(1);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(
      `eafix: invalid configuration, nothing started.\n${error.problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  } else {
    console.error(`eafix: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
