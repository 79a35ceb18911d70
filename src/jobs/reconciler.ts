import type { Logger } from '../logger.ts';
import { withTimeout } from '../redis/redis-connection.ts';

/** One idempotent repair: rebuild what Redis should hold from what PostgreSQL (or the policy) says. */
export interface ReconcilePass {
  name: string;
  run: () => Promise<unknown>;
}

export interface ReconcilerOptions {
  passes: ReconcilePass[];
  /** Time between the end of one run of a pass and the start of its next. */
  intervalMs: number;
  /**
   * Bound on one run of a pass (default: two intervals, at least 10 s): a pass stuck on a command that a
   * Redis restart never answered is given up on and run again, not waited for.
   */
  passTimeoutMs?: number;
  logger: Logger;
}

/**
 * Runs each pass now and then, every `intervalMs` after its last run ended. Every pass is idempotent, so
 * every worker runs the reconciler and no leader is needed. Each pass keeps its own schedule: a failing
 * pass (the database is down) is logged and tried again, and a stuck one holds up only itself, never the
 * others (an incident's escalation must not wait behind a digest schedule stuck on a dead connection).
 */
export class Reconciler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: ReconcilerOptions) {}

  /** Schedules the passes; each first runs after one interval, since each component rebuilds as it starts. */
  start(): void {
    for (const pass of this.options.passes) this.scheduleNext(pass);
  }

  /** Runs every pass once, side by side; resolves when each has ended or been given up on. */
  async runOnce(): Promise<void> {
    await Promise.all(this.options.passes.map((pass) => this.runPass(pass)));
  }

  private get passTimeoutMs(): number {
    return this.options.passTimeoutMs ?? Math.max(10_000, 2 * this.options.intervalMs);
  }

  private async runPass(pass: ReconcilePass): Promise<void> {
    try {
      await withTimeout(pass.run(), this.passTimeoutMs, `reconcile ${pass.name}`);
    } catch (err) {
      this.options.logger.warn({ err, pass: pass.name }, 'reconcile pass failed; retrying');
    }
  }

  private scheduleNext(pass: ReconcilePass): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run: Promise<void> = this.runPass(pass).finally(() => {
        this.running.delete(run);
        this.scheduleNext(pass);
      });
      this.running.add(run);
    }, this.options.intervalMs);
    timer.unref();
    this.timers.add(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.running);
  }
}
