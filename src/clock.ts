import { setTimeout as delay } from 'node:timers/promises';

/**
 * Time as code that decides on it sees it (timeouts, retry budgets, backoffs, expiries): the system
 * clock in production, a clock the test moves in tests, so no test waits for real time to pass.
 */
export interface Clock {
  now(): Date;
  /** Resolves once `ms` of this clock's time has passed; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    delay(ms, undefined, signal ? { signal } : undefined).catch((error: unknown) => {
      throw signal?.aborted ? signal.reason : error;
    }),
};
