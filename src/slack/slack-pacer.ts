/** A call budget: `perMinute` on average, up to `burst` at once. */
export interface PaceLimit {
  perMinute: number;
  burst: number;
}

/**
 * Slack's published limits, kept under with a margin: chat.postMessage 1 per second per channel, where
 * Slack documents that "short bursts >1 [are] allowed" without saying how many (a burst of 2 stays under
 * whatever it allows; a 429 is still waited out), chat.update Tier 3 (50+/min per workspace), file
 * uploads (getUploadURLExternal + completeUploadExternal, Tier 4) well inside 100/min. The burst lets a
 * run's first status message follow the approval message it answers at once, instead of a second later;
 * the sustained rate stays one per second.
 */
export const SLACK_PACE: Record<'post' | 'update' | 'upload', PaceLimit> = {
  post: { perMinute: 60, burst: 2 },
  update: { perMinute: 50, burst: 5 },
  upload: { perMinute: 20, burst: 2 },
};

interface Bucket {
  tokens: number;
  at: number;
  /** A 429's Retry-After: nothing goes out on this bucket before then. */
  blockedUntil: number;
}

/** Token buckets keyed by method (and channel), driven by an injectable clock. */
export class SlackPacer {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes a call from `key`'s budget and returns 0, or returns how long to wait (nothing taken). */
  reserve(key: string, limit: PaceLimit): number {
    const now = this.now();
    const bucket = this.refill(key, limit, now);
    if (bucket.blockedUntil > now) return bucket.blockedUntil - now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) * 60_000) / limit.perMinute);
  }

  /** Gives back a call reserved and then not made (not to a bucket a 429 holds: it starts empty after). */
  refund(key: string, limit: PaceLimit): void {
    const now = this.now();
    const bucket = this.refill(key, limit, now);
    if (bucket.blockedUntil <= now) bucket.tokens = Math.min(limit.burst, bucket.tokens + 1);
  }

  /** Slack said 429: hold the bucket for Retry-After, however long. */
  block(key: string, limit: PaceLimit, ms: number): void {
    const now = this.now();
    const bucket = this.refill(key, limit, now);
    bucket.blockedUntil = Math.max(bucket.blockedUntil, now + ms);
    bucket.tokens = 0;
  }

  private refill(key: string, limit: PaceLimit, now: number): Bucket {
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, at: now, blockedUntil: 0 };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) * limit.perMinute) / 60_000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket;
  }
}
