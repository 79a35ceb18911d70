import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from './eventually.ts';

/** A server process a test starts (redis-server, redis-sentinel, pgbouncer) and stops again. */
export interface Daemon {
  child: ChildProcess;
  output(): string;
  /** Sends `signal` and resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `binary` with `args` and resolves once `ready()` holds (probed until then, failing at once if
 * the process exits). A missing binary names the script that installs it.
 */
export async function startDaemon(
  binary: string,
  args: string[],
  ready: () => Promise<boolean>,
  what = binary,
): Promise<Daemon> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-100_000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let spawnError: NodeJS.ErrnoException | undefined;
  child.once('error', (error) => (spawnError = error));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const daemon: Daemon = {
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null && !spawnError) child.kill(signal);
      await exited;
    },
  };
  const gone = () => spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;
  await eventually(async () => gone() || (await ready()), `${what} to start`, 60_000);
  if (spawnError?.code === 'ENOENT')
    throw new Error(`${binary} is not installed: run ./scripts/ha-deps.sh (Debian: redis-sentinel, pgbouncer).`);
  if (gone()) throw new Error(`${what} exited before it was ready:\n${output}`);
  return daemon;
}
