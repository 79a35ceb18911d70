import type { Clock } from '../../src/clock.ts';

interface Sleeper {
  until: number;
  resolve: () => void;
}

/**
 * A clock that moves only when the test says so: sleeps end when `advance` passes their time, so
 * timeouts, backoffs and budgets are exercised without waiting and without depending on the machine.
 */
export class ManualClock implements Clock {
  private ms: number;
  private sleepers: Sleeper[] = [];

  constructor(start = Date.parse('2026-03-02T09:00:00Z')) {
    this.ms = start;
  }

  now = (): Date => new Date(this.ms);

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        until: this.ms + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** How many sleeps are waiting: a test waits for the code to reach its timer before moving time. */
  get waiting(): number {
    return this.sleepers.length;
  }

  /** Moves time forward, ending every sleep whose time has come, earliest first. */
  advance(ms: number): void {
    this.ms += ms;
    const due = this.sleepers.filter((s) => s.until <= this.ms).sort((a, b) => a.until - b.until);
    this.sleepers = this.sleepers.filter((s) => s.until > this.ms);
    for (const sleeper of due) sleeper.resolve();
  }
}
