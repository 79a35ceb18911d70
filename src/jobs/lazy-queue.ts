import type { Queue, QueueOptions } from 'bullmq';

type Bullmq = typeof import('bullmq');
let loading: Promise<Bullmq> | undefined;

/**
 * BullMQ adds ~70 ms of CPU and ~14 MB of RSS to a start, so it is imported with a process's first queue
 * operation or worker start, not at start-up: a web process serves Slack before it (and without it until
 * something is queued). test/start-up-imports.test.ts keeps it out of the start-up's static imports.
 */
export const loadBullmq = (): Promise<Bullmq> => (loading ??= import('bullmq'));

/**
 * Options every BullMQ worker of the bot takes. `runRetryDelay`: how long a worker waits after its fetch
 * loop failed (Redis unreachable) before it tries again. BullMQ's default is 15 s, so after a Redis blip
 * every run, escalation and digest sat out up to 15 s once Redis was back; ioredis reconnects within 2 s
 * (redis-connection.ts), and a failed fetch costs one round trip, so the loop retries every second.
 */
export const WORKER_DEFAULTS = { runRetryDelay: 1_000 } as const;

/** A BullMQ queue created on first use, on the connection and options given now. */
export class LazyQueue<T> {
  private opened: Promise<Queue<T>> | undefined;

  constructor(
    readonly name: string,
    private readonly options: QueueOptions,
    /** A queue re-emits its connection's errors: unheard, one Redis outage would crash the process. */
    private readonly onError: (err: Error) => void,
  ) {}

  open(): Promise<Queue<T>> {
    this.opened ??= loadBullmq().then(({ Queue }) => {
      const queue = new Queue<T>(this.name, this.options);
      queue.on('error', this.onError);
      return queue;
    });
    return this.opened;
  }

  /** Closes the queue if it was ever opened (closing one never used loads nothing). */
  async close(): Promise<void> {
    if (this.opened) await (await this.opened).close();
  }
}
