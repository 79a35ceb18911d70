/**
 * Wake-ups from a Kubernetes watch, opened when the wait begins, so a wait looks again the moment the
 * object changes instead of at its next poll (a rollout that is ready in 0.5 s is seen then, not after a 1 s poll). The watch only
 * says "look again": the wait's own check still reads the object, so a missed event, a dropped stream or
 * a watch the bot may not open costs at most one poll interval (the bounded resync), never a wrong answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Watch } from '@kubernetes/client-node';
import type { Logger } from '../logger.ts';

/** The server ends each watch after this; the next wait opens a fresh one. */
const WATCH_SECONDS = 60;
/** After this many watches that failed to open, the wait only polls. */
const MAX_FAILED_OPENS = 3;

export interface Wakeups {
  /** Resolves when the watched objects changed since the last call, or after `ms` (rejects on `signal`). */
  next(ms: number, signal: AbortSignal): Promise<void>;
  close(): void;
}

export interface WatchTarget {
  /** A collection path, e.g. `/apis/apps/v1/namespaces/eafix-production/deployments`. */
  path: string;
  /** fieldSelector / labelSelector narrowing the watch to what the wait checks. */
  query: Record<string, string>;
}

export function watchWakeups(watch: Watch, target: WatchTarget, logger: Logger): Wakeups {
  let changed = false;
  let wake: (() => void) | undefined;
  let controller: AbortController | undefined;
  let open = false;
  let closed = false;
  let failedOpens = 0;

  const onChange = () => {
    changed = true;
    wake?.();
  };

  const start = () => {
    if (open || closed || failedOpens >= MAX_FAILED_OPENS) return;
    open = true;
    let received = false;
    const done = (err: unknown) => {
      open = false;
      controller = undefined;
      if (!err || closed) return;
      // A stream that delivered events and then broke is reopened; one refused at once counts as a failure.
      if (!received) failedOpens += 1;
      logger.debug({ err, path: target.path, failedOpens }, 'kubernetes watch ended; polling until it reopens');
    };
    watch
      .watch(
        target.path,
        { ...target.query, timeoutSeconds: WATCH_SECONDS },
        () => {
          received = true;
          onChange();
        },
        done,
      )
      .then((c) => {
        if (closed) c.abort();
        else if (open) controller = c;
      }, done);
  };

  // Opened at once, alongside the wait's first look: opening a watch takes a round trip or more (a
  // rollback's pods are often ready before a watch opened only after that look would be).
  start();
  return {
    async next(ms, signal) {
      start();
      if (changed) {
        changed = false;
        return;
      }
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const timer = new AbortController();
      try {
        await Promise.race([woken, sleep(ms, undefined, { signal: AbortSignal.any([signal, timer.signal]) })]);
      } catch (error) {
        signal.throwIfAborted();
        throw error;
      } finally {
        timer.abort();
        wake = undefined;
        changed = false;
      }
    },
    close() {
      closed = true;
      controller?.abort();
    },
  };
}
