import { withTimeout } from '../redis/redis-connection.ts';
import type { Redis } from '../redis/redis-connection.ts';
import type { Logger } from '../logger.ts';
import type { RunStore } from './run-store.ts';
import type { RunRecord } from './run-record.ts';
import { RunCancelledError } from './step-attempt.ts';

export function cancelChannel(prefix: string): string {
  return `${prefix}:runs:cancel`;
}

interface CancelMessage {
  runId: string;
  by: string;
}

export interface CancelResult {
  /** False when there is no such run or it already ended. */
  accepted: boolean;
  run?: RunRecord;
}

/** Anything that can put a run (back) in the queue: RunQueue. */
export interface RunEnqueuer {
  enqueue(runId: string, requestId: string): Promise<void>;
}

/**
 * Asks for a run to stop, from any process. The flag in Postgres is the truth (the step runner reads it
 * between steps); the pub/sub message makes the worker running the run abort its current step at once.
 */
export class RunCanceller {
  constructor(
    private readonly options: { store: RunStore; redis: Redis; prefix: string; queue: RunEnqueuer; logger: Logger },
  ) {}

  async requestCancel(runId: string, by: string): Promise<CancelResult> {
    const run = await this.options.store.requestCancel(runId, by);
    if (!run) {
      const existing = await this.options.store.getRun(runId);
      return existing ? { accepted: false, run: existing } : { accepted: false };
    }
    const message: CancelMessage = { runId, by };
    await this.options.redis.publish(cancelChannel(this.options.prefix), JSON.stringify(message));
    // A run still waiting for its target has no job: enqueue it so a worker closes it (no-op otherwise).
    if (run.status === 'queued') await this.options.queue.enqueue(run.id, run.requestId);
    this.options.logger.info({ runId, by }, 'run cancellation requested');
    return { accepted: true, run };
  }
}

/**
 * A worker's side of cancellation: one subscriber connection; each run being executed here registers
 * an AbortController, aborted when a cancel message for it arrives. Subscribing completes before the
 * worker takes jobs, and the runner reads the flag after registering, so no request falls in between.
 */
export class CancelListener {
  private readonly controllers = new Map<string, Set<AbortController>>();
  private readonly subscriber: Redis;

  constructor(
    connection: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.subscriber = connection.duplicate();
    this.subscriber.on('error', (err: Error) => logger.warn({ err }, 'cancel subscriber error'));
  }

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, payload: string) => {
      if (channel !== cancelChannel(this.prefix)) return;
      try {
        const message = JSON.parse(payload) as CancelMessage;
        this.abort(message.runId, new RunCancelledError(message.by));
      } catch (err) {
        this.logger.warn({ err }, 'ignoring malformed cancel message');
      }
    });
    await this.subscriber.subscribe(cancelChannel(this.prefix));
  }

  /** Registers a run being executed here; call `release` when done with it. */
  track(runId: string): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    const set = this.controllers.get(runId) ?? new Set();
    set.add(controller);
    this.controllers.set(runId, set);
    return {
      signal: controller.signal,
      release: () => {
        set.delete(controller);
        if (set.size === 0 && this.controllers.get(runId) === set) this.controllers.delete(runId);
      },
    };
  }

  abort(runId: string, reason: unknown): boolean {
    const set = this.controllers.get(runId);
    if (!set) return false;
    this.logger.info({ runId }, 'aborting run');
    for (const controller of set) controller.abort(reason);
    return true;
  }

  abortAll(reason: unknown): void {
    for (const runId of [...this.controllers.keys()]) this.abort(runId, reason);
  }

  async close(timeoutMs = 2_000): Promise<void> {
    try {
      await withTimeout(this.subscriber.quit(), timeoutMs, 'redis quit');
    } catch {
      this.subscriber.disconnect();
    }
  }
}
