import type { Logger } from '../logger.ts';
import { withTimeout } from '../redis/redis-connection.ts';

/** One idempotent repair: rebuild what Redis should hold from what PostgreSQL (or the policy) says. */
export interface ReconcilePass {
  name: string;
  run: () => Promise<unknown>;
}

export interface ReconcilerOptions {
  passes: ReconcilePass[];
  /** Time between the end of one round and the start of the next. */
  intervalMs: number;
  /** Bound on one pass, so a pass stuck on a dead Redis does not stop the rounds for good (default 60 s). */
  passTimeoutMs?: number;
  logger: Logger;
}

/**
 * Runs its passes now and then every `intervalMs`, one round at a time. Every pass is idempotent, so
 * every worker runs the reconciler and no leader is needed. A failing pass (the database is down) is
 * logged and tried again next round; it never stops the others or the process.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: ReconcilerOptions) {}

  /** Schedules the rounds; the first comes after one interval, since each component rebuilds as it starts. */
  start(): void {
    this.scheduleNext();
  }

  async runOnce(): Promise<void> {
    for (const pass of this.options.passes) {
      try {
        await withTimeout(pass.run(), this.options.passTimeoutMs ?? 60_000, `reconcile ${pass.name}`);
      } catch (err) {
        this.options.logger.warn({ err, pass: pass.name }, 'reconcile pass failed; retrying next round');
      }
    }
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.runOnce().finally(() => this.scheduleNext());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }
}
