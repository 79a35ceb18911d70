/** What permissions need to know about Slack, behind a narrow interface (the adapter lives in src/slack/). */
export interface SlackDirectory {
  /** Members of a user group given by id (S0123) or handle (@oncall). Throws when Slack cannot answer. */
  usergroupMembers(ref: string): Promise<string[]>;
  /** The channel's name without '#', for channel restrictions. Throws when Slack cannot answer. */
  channelName(channelId: string): Promise<string>;
}

/** Answers kept for a while; a failure is not kept, so the next request asks again. */
class ShortCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.value;
    const value = load();
    const entry = { at: this.now(), value };
    this.entries.set(key, entry);
    value.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    return value;
  }
}

/**
 * Wraps a directory with a short cache, so a burst of clicks asks Slack once. Channel names expire like
 * group members: a channel renamed (or an allowed name moved to another channel) counts within the TTL.
 */
export class CachedDirectory implements SlackDirectory {
  private readonly groups: ShortCache<string[]>;
  private readonly channels: ShortCache<string>;

  constructor(
    private readonly inner: SlackDirectory,
    ttlMs: number,
    now: () => number = Date.now,
  ) {
    this.groups = new ShortCache(ttlMs, now);
    this.channels = new ShortCache(ttlMs, now);
  }

  usergroupMembers(ref: string): Promise<string[]> {
    return this.groups.get(ref, () => this.inner.usergroupMembers(ref));
  }

  channelName(channelId: string): Promise<string> {
    return this.channels.get(channelId, () => this.inner.channelName(channelId));
  }
}
