import type { Logger } from '../logger.ts';

export interface SocketModeConnectionOptions {
  /** Opens the socket (Bolt's `app.start()` in Socket Mode); rejects when Slack cannot be reached. */
  open: () => Promise<unknown>;
  logger: Logger;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Opens the Socket Mode connection in the background, retrying with backoff while Slack is unreachable:
 * the process stays up and serves its health checks, and /readyz says why it is not ready, instead of
 * exiting and being restarted in a loop.
 */
export class SocketModeConnection {
  private failures = 0;
  private lastError = '';
  private connected = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SocketModeConnectionOptions) {}

  /** Tries now; later tries run on their own until one succeeds or stop() is called. */
  start(): void {
    void this.attempt();
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.options.open();
      this.connected = true;
      this.options.logger.info({ after: this.failures }, 'slack socket mode connected');
    } catch (err) {
      this.failures += 1;
      this.lastError = err instanceof Error ? err.message : String(err);
      const { baseDelayMs = 1_000, maxDelayMs = 60_000 } = this.options;
      const retryInMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (this.failures - 1));
      this.options.logger.warn({ err, failures: this.failures, retryInMs }, 'slack socket mode failed; retrying');
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.attempt(), retryInMs);
      this.timer.unref();
    }
  }

  /** For /readyz: 'ok', or why Slack traffic cannot arrive yet. */
  readiness(): string {
    return this.connected
      ? 'ok'
      : `socket mode not connected (${this.failures} tries, last: ${this.lastError || 'none yet'}); retrying`;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
