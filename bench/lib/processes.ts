/** Child processes under test: spawn, wait until they answer, read their CPU time and RSS from /proc. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request } from 'undici';

export interface Subject {
  name: string;
  child: ChildProcess;
  port: number;
  url: string;
  /** Milliseconds from spawn to the first successful readiness probe. */
  startMs: number;
  /** The tail of what the process printed (logs, errors). */
  output: () => string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface SpawnOptions {
  name: string;
  args: string[];
  env: Record<string, string>;
  /** Path answered with 200 once the process is ready (the bot's /readyz). */
  readyPath: string;
  timeoutMs?: number;
}

/** Spawns `node <args>` and resolves once `readyPath` answers 200 (polled every 10 ms). */
export async function spawnSubject(options: SpawnOptions): Promise<Subject> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, options.args, {
    env: { ...process.env, ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const keep = (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await request(`${url}${options.readyPath}`, { headersTimeout: 1_000 });
      await res.body.text();
      if (res.statusCode === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} not ready in time: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const startMs = performance.now() - started;
  return {
    name: options.name,
    child,
    port,
    url,
    startMs,
    output: () => stderr,
    stop: () => stopChild(child),
  };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Linux reports CPU times in clock ticks: 100 per second on every architecture Node runs on here. */
export const MS_PER_TICK = 10;

/**
 * A /proc/<pid>/stat line as its command name and the fields after it ("pid (comm) state ppid ...": comm may
 * hold spaces, so fields are counted after its closing paren; `fields[0]` is field 3, state).
 */
export function parseStat(stat: string): { comm: string; fields: string[] } {
  const close = stat.lastIndexOf(')');
  return { comm: stat.slice(stat.indexOf('(') + 1, close), fields: stat.slice(close + 2).split(' ') };
}

/** User + system CPU time the process has used so far, in ms (Linux /proc). */
export function cpuMs(pid: number): number {
  const { fields } = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

/** Resident set size in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
