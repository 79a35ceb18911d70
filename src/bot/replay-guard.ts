import type { Logger } from '../logger.ts';

/** A store that answers "first time?" for a delivery key, or throws when it cannot tell. */
export interface DeliveryLedger {
  firstSighting(key: string): Promise<boolean>;
}

export type Sighting = 'first' | 'duplicate' | 'unverifiable';

/**
 * Each signed Slack delivery is taken once. Redis answers first; when it cannot, PostgreSQL does. While
 * this process has fallen back recently, keys Redis calls new are checked in PostgreSQL too, so a
 * replay of a request recorded during the outage is still caught after Redis returns.
 */
export class ReplayGuard {
  private fellBackAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly primary: DeliveryLedger,
    private readonly fallback: DeliveryLedger,
    private readonly logger: Logger,
    /** The signature window plus margin: how long a fallback keeps mattering. */
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async check(key: string): Promise<Sighting> {
    let first: boolean;
    try {
      first = await this.primary.firstSighting(key);
    } catch (err) {
      this.logger.warn({ err }, 'replay check: redis unavailable, using postgres');
      this.fellBackAt = this.now();
      return this.fromFallback(key);
    }
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
}
