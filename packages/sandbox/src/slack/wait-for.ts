import type { EventEmitter } from 'node:events';

export interface WaitForOptions {
  timeoutMs?: number;
  description?: string;
}

/**
 * Resolves with the first truthy `check()` result, evaluated now and on each 'change' event.
 * A throwing check counts as "not yet"; its last error is included in the timeout message.
 */
export function waitForChange<T>(
  emitter: EventEmitter,
  check: () => T,
  options: WaitForOptions,
  recent: () => string[],
): Promise<NonNullable<T>> {
  // Generous: a condition usually holds at once; on a loaded machine, posts paced at Slack's one a second
  // per channel can queue for many seconds, and a passing wait costs nothing extra.
  const { timeoutMs = 30_000, description = 'condition' } = options;
  return new Promise((resolve, reject) => {
    let done = false;
    let lastError: unknown;
    const finish = (): void => {
      done = true;
      clearTimeout(timer);
      emitter.off('change', evaluate);
    };
    function evaluate(): void {
      if (done) return;
      try {
        const value = check();
        if (value) {
          finish();
          resolve(value as NonNullable<T>);
        }
      } catch (error) {
        // Not there yet (e.g. the channel the bot is about to create): keep waiting, report it on timeout.
        lastError = error;
      }
    }
    const timer = setTimeout(() => {
      finish();
      const changes = recent().join('; ') || 'none';
      const cause = lastError instanceof Error ? `; last predicate error: ${lastError.message}` : '';
      reject(
        new Error(
          `waitFor timed out after ${timeoutMs} ms waiting for ${description} (recent changes: ${changes})${cause}`,
        ),
      );
    }, timeoutMs);
    emitter.on('change', evaluate);
    evaluate();
  });
}
