import type { ChildProcess } from 'node:child_process';
import { createLogger } from '../../src/logger.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { kill, startWorkerProcess } from './worker-process.ts';
import type { TestWorld } from './world.ts';

/**
 * The workers of a resume test: ones in processes of their own, which the test may SIGKILL mid-run, and
 * the one that takes their runs over. `stop` (afterAll) ends whichever are still running.
 */
export interface WorkerHandover {
  /** A worker in its own process, so the test can SIGKILL it (`kill` from worker-process.ts). */
  startProcess(): Promise<ChildProcess>;
  /**
   * The successor: a worker in this process (a second process would only add time), with a short job
   * lock and stall check so it takes over a dead worker's run within seconds.
   */
  startSuccessor(): Promise<RunningBot>;
  stop(): Promise<void>;
}

export function workerHandover(world: () => TestWorld): WorkerHandover {
  const processes: ChildProcess[] = [];
  const bots: RunningBot[] = [];
  return {
    async startProcess() {
      const child = await startWorkerProcess(world());
      processes.push(child);
      return child;
    },
    async startSuccessor() {
      const bot = await startBot({
        env: world().env,
        policy: world().policy,
        logger: createLogger({ level: 'silent' }),
        role: 'worker',
        host: '127.0.0.1',
        kubeConfig: world().cluster.kubeConfig(),
        jobs: { lockDurationMs: 1_000, stalledIntervalMs: 500 },
      });
      bots.push(bot);
      return bot;
    },
    async stop() {
      for (const child of processes) await kill(child);
      for (const bot of bots) await bot.stop();
    },
  };
}
