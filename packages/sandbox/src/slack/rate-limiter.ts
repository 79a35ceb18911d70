/** Slack's Web API rate limits: per-method tiers per workspace, plus chat.postMessage's 1/s per channel. */

export type TierName = 'tier1' | 'tier2' | 'tier3' | 'tier4';

export interface TierLimit {
  perMinute: number;
  /** Bucket size: how many calls may arrive at once. Defaults to perMinute (a minute's allowance). */
  burst?: number;
}

export interface RateLimitConfig {
  enabled: boolean;
  /** Overrides keyed by method name ('chat.update') or tier name ('tier3'). */
  tiers: Record<string, TierLimit>;
  postMessagePerChannelPerSecond: number;
  /** Short burst Slack tolerates above 1/s per channel. */
  postMessageBurst: number;
}

export const DEFAULT_TIER_LIMITS: Record<TierName, TierLimit> = {
  tier1: { perMinute: 1 },
  tier2: { perMinute: 20 },
  tier3: { perMinute: 50 },
  tier4: { perMinute: 100 },
};

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  enabled: true,
  tiers: {},
  postMessagePerChannelPerSecond: 1,
  postMessageBurst: 3,
};

export function resolveRateLimits(partial: Partial<RateLimitConfig> = {}): RateLimitConfig {
  return { ...DEFAULT_RATE_LIMITS, ...partial, tiers: { ...DEFAULT_RATE_LIMITS.tiers, ...partial.tiers } };
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Token buckets driven by the injected clock, so tests move time instead of sleeping. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number,
  ) {}

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** Seconds to wait (≥1) when the call must be rejected, else undefined (and the call is counted). */
  check(method: string, tier: TierName | undefined, channel?: string): number | undefined {
    if (!this.config.enabled) return undefined;
    const limit =
      this.config.tiers[method] ?? (tier ? (this.config.tiers[tier] ?? DEFAULT_TIER_LIMITS[tier]) : undefined);
    const checks: Array<{ key: string; capacity: number; perSecond: number }> = [];
    if (limit)
      checks.push({ key: `m:${method}`, capacity: limit.burst ?? limit.perMinute, perSecond: limit.perMinute / 60 });
    if (method === 'chat.postMessage' && channel) {
      checks.push({
        key: `c:${channel}`,
        capacity: Math.max(1, this.config.postMessageBurst),
        perSecond: this.config.postMessagePerChannelPerSecond,
      });
    }
    let wait = 0;
    for (const c of checks) wait = Math.max(wait, this.waitFor(c.key, c.capacity, c.perSecond));
    if (wait > 0) return Math.max(1, Math.ceil(wait));
    for (const c of checks) this.take(c.key);
    return undefined;
  }

  private bucket(key: string, capacity: number, perSecond: number): Bucket {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    const elapsed = Math.max(0, now - b.updatedAt) / 1000;
    b.tokens = Math.min(capacity, b.tokens + elapsed * perSecond);
    b.updatedAt = now;
    this.buckets.set(key, b);
    return b;
  }

  private waitFor(key: string, capacity: number, perSecond: number): number {
    const b = this.bucket(key, capacity, perSecond);
    return b.tokens >= 1 ? 0 : (1 - b.tokens) / perSecond;
  }

  private take(key: string): void {
    const b = this.buckets.get(key);
    if (b) b.tokens -= 1;
  }
}

/** Which tier Slack documents for each emulated method (chat.postMessage is "special": per channel only). */
export const METHOD_TIERS: Record<string, TierName | undefined> = {
  'auth.test': 'tier4',
  'chat.postMessage': undefined,
  'chat.update': 'tier3',
  'chat.postEphemeral': 'tier4',
  'chat.getPermalink': 'tier4',
  'chat.delete': 'tier3',
  'conversations.create': 'tier2',
  'conversations.invite': 'tier3',
  'conversations.join': 'tier3',
  'conversations.setTopic': 'tier2',
  'conversations.setPurpose': 'tier2',
  'conversations.info': 'tier3',
  'conversations.history': 'tier3',
  'conversations.replies': 'tier3',
  'conversations.archive': 'tier2',
  'conversations.unarchive': 'tier2',
  'conversations.members': 'tier4',
  'conversations.list': 'tier2',
  'conversations.open': 'tier3',
  'pins.add': 'tier2',
  'pins.remove': 'tier2',
  'pins.list': 'tier2',
  'usergroups.list': 'tier2',
  'usergroups.users.list': 'tier2',
  'users.info': 'tier4',
  'users.list': 'tier2',
  'users.lookupByEmail': 'tier3',
  'views.open': 'tier4',
  'views.update': 'tier4',
  'views.push': 'tier4',
  'views.publish': 'tier4',
  'files.getUploadURLExternal': 'tier4',
  'files.completeUploadExternal': 'tier4',
  'files.info': 'tier4',
};
