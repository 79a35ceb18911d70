import { spawn } from 'node:child_process';
import type { Logger } from './bot.ts';
import type { EmbeddedService } from './embedded-postgres.ts';
import { freePort } from './free-port.ts';

/**
 * Redis for the sandbox when REDIS_URL is not set: a private redis-server on a free loopback port,
 * keeping nothing on disk. The binary comes from the OS; its absence is a clear, actionable error.
 */
export async function startEmbeddedRedis(
  logger: Logger,
  binary = 'redis-server',
  fixedPort?: number,
): Promise<EmbeddedService> {
  // A fixed port lets a test restart Redis where its clients will reconnect.
  const port = fixedPort ?? (await freePort());
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'redis-server is not installed. Install it (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`) or set REDIS_URL to a running Redis.',
            )
          : error,
      );
    });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code}:\n${output}`));
    });
  });
  logger.info({ port }, 'embedded Redis started');
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
