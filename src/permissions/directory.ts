/** What permissions need to know about Slack, behind a narrow interface (the adapter lives in src/slack/). */
export interface SlackDirectory {
  /** Members of a user group given by id (S0123) or handle (@oncall). Throws when Slack cannot answer. */
  usergroupMembers(ref: string): Promise<string[]>;
  /** The channel's name without '#', for channel restrictions. Throws when Slack cannot answer. */
  channelName(channelId: string): Promise<string>;
}

/** Wraps a directory with a short cache, so a burst of clicks asks Slack once. */
export class CachedDirectory implements SlackDirectory {
  private readonly groups = new Map<string, { at: number; members: Promise<string[]> }>();
  private readonly channels = new Map<string, Promise<string>>();

  constructor(
    private readonly inner: SlackDirectory,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  usergroupMembers(ref: string): Promise<string[]> {
    const cached = this.groups.get(ref);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.members;
    const members = this.inner.usergroupMembers(ref);
    this.groups.set(ref, { at: this.now(), members });
    // A failure is not cached: the next request asks again.
    members.catch(() => this.groups.delete(ref));
    return members;
  }

  channelName(channelId: string): Promise<string> {
    const cached = this.channels.get(channelId);
    if (cached) return cached;
    const name = this.inner.channelName(channelId);
    this.channels.set(channelId, name);
    name.catch(() => this.channels.delete(channelId));
    return name;
  }
}
