import { parseArgs } from 'node:util';
import { runSandbox } from './run-sandbox.ts';

const usage = `Usage: eafix sandbox [--script FILE] [--fresh]
  Runs the bot against local emulators (Slack, Kubernetes, Prometheus, PagerDuty), with a console.
  --script FILE  plays a script and prints the transcript; exits 1 if a line failed
  --fresh        also wipes the embedded PostgreSQL's data directory`;

/** `eafix sandbox ...` (bin/eafix.js hands over everything after the word `sandbox`). */
async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { script: { type: 'string' }, fresh: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  process.exitCode = await runSandbox({
    scriptPath: values.script,
    fresh: values.fresh,
    databaseUrl: process.env.DATABASE_URL,
    redisUrl: process.env.REDIS_URL,
  });
}

main(process.argv.slice(3)).catch((error: unknown) => {
  console.error(`eafix sandbox: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
  process.exit(1);
});
