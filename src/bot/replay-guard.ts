import type { Logger } from '../logger.ts';

/** A store that answers "first time?" for a delivery key, or throws when it cannot tell. */
export interface DeliveryLedger {
  firstSighting(key: string): Promise<boolean>;
}

export type Sighting = 'first' | 'duplicate' | 'unverifiable';

/** Keys taken while Redis was down, kept to be written into Redis once it answers (bounded, oldest dropped). */
const MAX_BACKLOG = 50_000;
/** How often a backlog is offered to Redis while it still has keys (Redis may return while no request comes). */
const BACKLOG_RETRY_MS = 1_000;

/**
 * Each signed Slack delivery is taken once. Redis answers first; when it cannot, PostgreSQL does. While
 * this process has fallen back recently, keys Redis calls new are checked in PostgreSQL too, so a
 * replay of a request recorded during the outage is still caught after Redis returns; and the keys taken
 * during the outage are written into Redis once it answers, so other replicas (which never fell back, and
 * ask only Redis) catch their replays too. PostgreSQL records deliveries only while Redis is down: a
 * delivery signed before this process saw Redis fail may be in Redis alone, so PostgreSQL cannot vouch for
 * it (`unverifiable`, which callers fail closed on for anything that changes state).
 */
export class ReplayGuard {
  private fellBackAt = Number.NEGATIVE_INFINITY;
  /** When Redis stopped answering, while it still does not. */
  private outageStartedAt: number | undefined;
  /** Key → when it was taken, for keys taken while Redis was down. */
  private readonly backlog = new Map<string, number>();
  private flushing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly primary: DeliveryLedger,
    private readonly fallback: DeliveryLedger,
    private readonly logger: Logger,
    /** The signature window plus margin: how long a fallback keeps mattering. */
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** `signedAtMs`: the request's signed timestamp (HTTP), when it has one. */
  async check(key: string, signedAtMs?: number): Promise<Sighting> {
    let first: boolean;
    try {
      first = await this.primary.firstSighting(key);
    } catch (err) {
      this.logger.warn({ err }, 'replay check: redis unavailable, using postgres');
      const now = this.now();
      this.fellBackAt = now;
      this.outageStartedAt ??= now;
      const sighting = await this.fromFallback(key);
      if (sighting !== 'first') return sighting;
      this.remember(key, now);
      if (signedAtMs !== undefined && signedAtMs < this.outageStartedAt) {
        this.logger.warn({ key }, 'replay check: signed before redis failed, which alone may have seen it');
        return 'unverifiable';
      }
      return 'first';
    }
    this.outageStartedAt = undefined;
    if (this.backlog.size > 0) void this.flushBacklog();
    if (!first) return 'duplicate';
    if (this.now() - this.fellBackAt > this.windowMs) return 'first';
    const fallback = await this.fromFallback(key);
    return fallback === 'duplicate' ? 'duplicate' : 'first';
  }

  private async fromFallback(key: string): Promise<Sighting> {
    try {
      return (await this.fallback.firstSighting(key)) ? 'first' : 'duplicate';
    } catch (err) {
      this.logger.error({ err }, 'replay check: neither redis nor postgres answered');
      return 'unverifiable';
    }
  }

  private remember(key: string, at: number): void {
    this.backlog.set(key, at);
    if (this.backlog.size > MAX_BACKLOG) this.backlog.delete(this.backlog.keys().next().value as string);
    this.flushLater();
  }

  private flushLater(): void {
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      void this.flushBacklog();
    }, BACKLOG_RETRY_MS).unref();
  }

  /** Writes the keys taken during the outage into Redis (as taken: SET NX), until it has them all. */
  private flushBacklog(): Promise<void> {
    this.flushing ??= (async () => {
      for (const [key, at] of this.backlog) {
        if (this.now() - at > this.windowMs) {
          this.backlog.delete(key);
          continue;
        }
        await this.primary.firstSighting(key);
        this.backlog.delete(key);
      }
    })()
      // Redis is still away: offered again shortly.
      .catch(() => this.flushLater())
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }
}
