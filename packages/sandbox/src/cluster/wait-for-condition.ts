import type { EventEmitter } from 'node:events';

export interface WaitForOptions {
  timeoutMs?: number;
  description?: string | (() => string);
}

/**
 * Resolves once `predicate` holds: checked now, on every `change` the cluster emits and every tick (time
 * passes between changes); rejects if it throws or has not held within the timeout.
 */
export function waitForCondition(
  cluster: EventEmitter<{ change: [unknown] }>,
  tickMs: number,
  predicate: () => boolean,
  opts: WaitForOptions = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      clearInterval(poll);
      cluster.off('change', check);
    };
    const check = () => {
      try {
        if (!predicate()) return;
      } catch (err) {
        cleanup();
        reject(err as Error);
        return;
      }
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      const what = typeof opts.description === 'function' ? opts.description() : (opts.description ?? 'condition');
      reject(new Error(`cluster simulator: timed out after ${timeoutMs}ms waiting for ${what}`));
    }, timeoutMs);
    const poll = setInterval(check, tickMs);
    cluster.on('change', check);
    check();
  });
}
