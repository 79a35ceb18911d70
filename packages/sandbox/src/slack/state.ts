import type {
  ApiCallRecord,
  EmuChannel,
  EmuEphemeral,
  EmuFile,
  EmuMessage,
  EmuPin,
  EmuUser,
  EmuUsergroup,
  EmuView,
  ResponseUrlRecord,
  TriggerRecord,
} from './types.ts';

/** Start of emulated time for ts values when `now()` is earlier (keeps "1700000000.000100" style). */
const MIN_TS_MICROS = 1_700_000_000_000_000;

export interface WorkspaceIdentity {
  teamId: string;
  teamDomain: string;
  teamName: string;
  botUserId: string;
  botId: string;
  appId: string;
}

/**
 * Everything the emulated workspace knows. Plain maps/arrays so tests can read them directly;
 * mutations go through the method handlers, which call `changed()` so waiters wake up.
 */
export class SlackState {
  readonly users = new Map<string, EmuUser>();
  readonly usergroups = new Map<string, EmuUsergroup>();
  readonly channels = new Map<string, EmuChannel>();
  /** Every message of a channel, top-level and replies, in ts order. */
  readonly messages = new Map<string, EmuMessage[]>();
  readonly pins = new Map<string, EmuPin[]>();
  readonly ephemerals: EmuEphemeral[] = [];
  readonly views = new Map<string, EmuView>();
  /** Open modal stack per user (view ids, bottom first). */
  readonly modalStacks = new Map<string, string[]>();
  /** Published App Home view id per user. */
  readonly homeViews = new Map<string, string>();
  readonly files = new Map<string, EmuFile>();
  readonly calls: ApiCallRecord[] = [];
  readonly triggers = new Map<string, TriggerRecord>();
  readonly responseUrls = new Map<string, ResponseUrlRecord>();

  private counter = 0;
  private lastTsMicros = 0;

  constructor(
    readonly identity: WorkspaceIdentity,
    readonly now: () => number,
    private readonly onChange: (description: string) => void,
  ) {}

  changed(description: string): void {
    this.onChange(description);
  }

  /** Slack-looking ids: prefix + 10 uppercase base36 chars, unique per emulator. */
  newId(prefix: string): string {
    this.counter += 1;
    return `${prefix}0${this.counter.toString(36).toUpperCase().padStart(9, '0')}`;
  }

  randomToken(): string {
    this.counter += 1;
    return `${this.counter.toString(36)}${Math.random().toString(36).slice(2, 12)}`;
  }

  /** Strictly increasing message timestamps derived from `now()`. */
  nextTs(): string {
    const micros = Math.max(this.lastTsMicros + 1, Math.floor(this.now()) * 1000, MIN_TS_MICROS);
    this.lastTsMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  // ---- lookups ----

  userByRef(ref: string): EmuUser | undefined {
    const byId = this.users.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^@/, '');
    for (const user of this.users.values()) if (user.name === name) return user;
    return undefined;
  }

  channelByRef(ref: string): EmuChannel | undefined {
    const byId = this.channels.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^#/, '');
    for (const channel of this.channels.values()) if (!channel.is_im && channel.name === name) return channel;
    return undefined;
  }

  /** The IM channel between the bot and a user, created on first use (as Slack does for DMs). */
  imChannelFor(userId: string): EmuChannel {
    for (const channel of this.channels.values()) if (channel.is_im && channel.user === userId) return channel;
    const id = this.newId('D');
    const channel: EmuChannel = {
      id,
      name: id,
      is_private: true,
      is_im: true,
      is_archived: false,
      created: this.nowSeconds(),
      creator: this.identity.botUserId,
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      members: [this.identity.botUserId, userId],
      user: userId,
    };
    this.channels.set(id, channel);
    this.messages.set(id, []);
    return channel;
  }

  channelMessages(channelId: string): EmuMessage[] {
    let list = this.messages.get(channelId);
    if (!list) {
      list = [];
      this.messages.set(channelId, list);
    }
    return list;
  }

  findMessage(channelId: string, ts: string): EmuMessage | undefined {
    return this.messages.get(channelId)?.find((m) => m.ts === ts);
  }

  /** Top-level messages (and thread broadcasts), oldest first: what the channel shows. */
  topLevel(channelId: string): EmuMessage[] {
    return (this.messages.get(channelId) ?? []).filter(
      (m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === 'thread_broadcast',
    );
  }

  /** Parent first, then replies oldest first. */
  threadOf(channelId: string, threadTs: string): EmuMessage[] {
    return (this.messages.get(channelId) ?? []).filter(
      (m) => m.ts === threadTs || (m.thread_ts === threadTs && m.ts !== threadTs),
    );
  }

  isBotMessage(message: EmuMessage): boolean {
    return message.bot_id === this.identity.botId;
  }

  botProfile(): Record<string, unknown> {
    const { botId, appId, teamId } = this.identity;
    return { id: botId, app_id: appId, name: 'eafix', deleted: false, team_id: teamId, icons: {} };
  }

  permalink(channelId: string, ts: string, threadTs?: string): string {
    const base = `https://${this.identity.teamDomain}.slack.com/archives/${channelId}/p${ts.replace('.', '')}`;
    return threadTs && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channelId}` : base;
  }
}
