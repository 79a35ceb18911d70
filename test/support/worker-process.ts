import { fork, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxWorld } from '@eafix/sandbox/sandbox-world';
import type { JobSettings } from '../../src/start-jobs.ts';

const fixture = fileURLToPath(new URL('../e2e/fixtures/bot-worker.ts', import.meta.url));

/**
 * Starts a bot worker process on the world's database, Redis prefix, Slack emulator and cluster (policy
 * from its file). `jobs` overrides the fast crash detection tests use (`{}`: production defaults).
 */
export async function startWorkerProcess(
  world: Pick<SandboxWorld, 'cluster' | 'env'>,
  options: { jobs?: JobSettings } = {},
): Promise<ChildProcess> {
  const kubeconfig = join(tmpdir(), `eafix-kubeconfig-${process.pid}-${Date.now()}.yaml`);
  await writeFile(kubeconfig, world.cluster.kubeconfigYaml());
  const env = {
    SLACK_SIGNING_SECRET: world.env.SLACK_SIGNING_SECRET,
    SLACK_BOT_TOKEN: world.env.SLACK_BOT_TOKEN,
    SLACK_API_URL: world.env.SLACK_API_URL,
    PORT: '0',
    DATABASE_URL: world.env.DATABASE_URL,
    DATABASE_SCHEMA: world.env.DATABASE_SCHEMA,
    DATABASE_STATEMENT_TIMEOUT_MS: String(world.env.DATABASE_STATEMENT_TIMEOUT_MS),
    DATABASE_QUERY_TIMEOUT_MS: String(world.env.DATABASE_QUERY_TIMEOUT_MS),
    REDIS_URL: world.env.REDIS_URL,
    REDIS_PREFIX: world.env.REDIS_PREFIX,
    EAFIX_CONFIG: world.env.EAFIX_CONFIG,
    KUBECONFIG: kubeconfig,
  };
  const child = fork(fixture, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      EAFIX_TEST_WORKER: JSON.stringify({ env, ...(options.jobs ? { jobs: options.jobs } : {}) }),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`worker said ${String(m)}`))));
    child.once('exit', (code) => reject(new Error(`worker exited early with code ${code}`)));
  });
  return child;
}

export async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
