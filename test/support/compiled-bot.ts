import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@eafix/sandbox/free-port';
import type { Role } from '../../src/process-role.ts';
import { ensureBuilt, repoRoot } from './compiled-build.ts';
import { eventually } from './eventually.ts';

/** One `eafix <role>` process started from dist/ the way the image starts it: `node bin/eafix.js <role>`. */
export interface CompiledBot {
  role: Role;
  name: string;
  port: number;
  child: ChildProcess;
  /** What it wrote (JSON log lines), for assertions and for a failure's message. */
  output(): string;
  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const OUTPUT_LIMIT = 400_000;

/**
 * Starts the compiled bot in `role` with `env` (strings, as a Deployment's environment) and resolves once
 * its /readyz answers 200: PostgreSQL migrated, Redis connected, Slack authenticated (web), workers taking
 * jobs (worker). Builds dist/ first when it is not fresh.
 */
export async function startCompiledBot(
  role: Role,
  env: Record<string, string>,
  options: { name?: string; waitUntil?: 'ready' | 'listening' } = {},
): Promise<CompiledBot> {
  await ensureBuilt();
  const port = await freePort();
  const name = options.name ?? role;
  const child = spawn(process.execPath, [join(repoRoot, 'bin/eafix.js'), role], {
    cwd: repoRoot,
    // Only what a Deployment would set: no tsx loader, no test variables from this process.
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const bot: CompiledBot = {
    role,
    name,
    port,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const wanted = options.waitUntil === 'listening' ? [200, 503] : [200];
  try {
    await eventually(
      async () => {
        // An exit ends the wait at once (checked below), rather than at the deadline.
        if (child.exitCode !== null || child.signalCode !== null) return true;
        const response = await fetch(`http://127.0.0.1:${port}/readyz`);
        return wanted.includes(response.status);
      },
      `${name} (${role}) to be ${options.waitUntil ?? 'ready'}`,
      180_000,
    );
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `${name} exited (${child.exitCode ?? child.signalCode}) before it was ${options.waitUntil ?? 'ready'}`,
      );
  } catch (error) {
    await bot.stop('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- ${name} output ---\n${output.slice(-8_000)}`);
  }
  return bot;
}

/** The JSON log records a process wrote (lines that are not JSON are returned as `{ line }`). */
export function logRecords(bot: CompiledBot): Array<Record<string, unknown>> {
  return bot
    .output()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { line };
      }
    });
}
