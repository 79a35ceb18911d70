import { AppError } from '../app-error.ts';
import type { Block } from '../handlers/core/reply.ts';
import type { ChannelInfo, InviteResult } from '../handlers/core/notifier.ts';
import type { SlackClient } from './slack-client.ts';
import { callSlack, slackPlatformError as platformError, toSlackAppError } from './slack-errors.ts';

export { SlackRateLimitedError, isSlackRateLimited } from './slack-errors.ts';

/** Message metadata as Slack stores it; the outbox puts its key here to recognise its own posts. */
export interface SlackMessageMetadata {
  event_type: string;
  event_payload: Record<string, string | number | boolean>;
}

export interface SlackPostMessage {
  channel: string;
  text: string;
  blocks?: Block[];
  thread_ts?: string;
  metadata?: SlackMessageMetadata;
}

export interface SlackUpdateMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: Block[];
}

export interface SlackFileUpload {
  channel: string;
  thread_ts?: string | undefined;
  filename: string;
  content: string | Buffer;
  title?: string | undefined;
  initial_comment?: string | undefined;
}

/** The Web API calls the outbox delivers with. Failures surface as AppErrors (429: SlackRateLimitedError). */
export interface SlackPoster {
  postMessage(message: SlackPostMessage): Promise<{ ts: string; channel: string }>;
  update(message: SlackUpdateMessage): Promise<void>;
  /**
   * Uploads in Slack's three steps (reserve a file, send its bytes, share it); `reserved` is told the file's
   * id before its bytes go, so a caller can record it before the file can appear anywhere.
   */
  uploadFile(file: SlackFileUpload, reserved?: (fileId: string) => Promise<void>): Promise<{ fileId: string }>;
  /**
   * Whether a message of the bot's shares one of `fileIds` in the channel (in the thread, given `threadTs`)
   * since `oldest`: an upload whose answer was lost. Undefined when that cannot be told: the history is not
   * the bot's to read (a DM; a channel that refuses it) or goes on past the pages read.
   */
  findSharedFile(where: {
    channel: string;
    threadTs?: string | undefined;
    fileIds: readonly string[];
    oldest: Date;
  }): Promise<boolean | undefined>;
  /** The bot's message carrying `metadata.event_payload[field] === value`, posted at or after `oldest`. */
  findPosted(where: {
    channel: string;
    threadTs?: string | undefined;
    eventType: string;
    field: string;
    value: string;
    oldest: Date;
  }): Promise<SlackPosted | undefined>;
}

export interface SlackPosted {
  ts: string;
  /** The channel's id (the search may have named it). */
  channel: string;
  metadata: SlackMessageMetadata;
}

const HISTORY_PAGES = 5;

/** What the outbox's look-ups read of a message in conversations.history / replies. */
interface HistoryMessage {
  ts: string;
  user?: string;
  metadata?: SlackMessageMetadata;
  files?: unknown[];
}

export interface WebApiSlackPosterOptions {
  /** Deadline for sending a file's bytes to the URL Slack reserved (the Web API calls have the client's). */
  uploadTimeoutMs?: number;
}

/**
 * The bot's one outbound Slack Web API adapter, over the process's client (createSlackClient: blind
 * retries off, rate-limited calls rejected): the outbox (and the deadline-bound direct calls) decide what
 * to retry and when, so a 429 postpones the latest state instead of replaying stale edits.
 */
export class WebApiSlackPoster implements SlackPoster {
  private botUser: Promise<string> | undefined;

  constructor(
    private readonly client: SlackClient,
    private readonly options: WebApiSlackPosterOptions = {},
  ) {}

  async postMessage(message: SlackPostMessage): Promise<{ ts: string; channel: string }> {
    const { thread_ts: threadTs, ...rest } = message;
    const result = await callSlack('chat.postMessage', () =>
      this.client.chat.postMessage({
        ...rest,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
      } as never),
    );
    return { ts: String(result.ts), channel: String(result.channel ?? message.channel) };
  }

  async update(message: SlackUpdateMessage): Promise<void> {
    await callSlack('chat.update', () => this.client.chat.update(message as never));
  }

  async uploadFile(
    file: SlackFileUpload,
    reserved: (fileId: string) => Promise<void> = async () => undefined,
  ): Promise<{ fileId: string }> {
    // files.completeUploadExternal takes a channel id only; a report names its channel by name.
    const channelId = await this.channelId(file.channel);
    if (!channelId) throw new AppError('channel_not_found', `There is no channel #${file.channel} to upload to.`);
    const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
    const slot = await callSlack('files.getUploadURLExternal', () =>
      this.client.files.getUploadURLExternal({ filename: file.filename, length: bytes.length }),
    );
    const fileId = String(slot.file_id);
    await reserved(fileId);
    await this.sendBytes(String(slot.upload_url), file.filename, bytes);
    await callSlack('files.completeUploadExternal', () =>
      this.client.files.completeUploadExternal({
        files: [{ id: fileId, title: file.title ?? file.filename }],
        channel_id: channelId,
        ...(file.thread_ts ? { thread_ts: file.thread_ts } : {}),
        ...(file.initial_comment ? { initial_comment: file.initial_comment } : {}),
      }),
    );
    return { fileId };
  }

  /** The file's bytes to the URL Slack reserved, as WebClient.filesUploadV2 sends them (one multipart part). */
  private async sendBytes(url: string, filename: string, bytes: Buffer): Promise<void> {
    const form = new FormData();
    form.append('body', new Blob([new Uint8Array(bytes)]), filename);
    const res = await fetch(url, {
      method: 'POST',
      body: form,
      redirect: 'error',
      signal: AbortSignal.timeout(this.options.uploadTimeoutMs ?? 30_000),
    });
    await res.arrayBuffer();
    if (res.status !== 200)
      throw new AppError('slack_upload_failed', `Slack did not take the file's content (HTTP ${res.status}).`, {
        kind: 'upstream',
      });
  }

  async findSharedFile(where: {
    channel: string;
    threadTs?: string | undefined;
    fileIds: readonly string[];
    oldest: Date;
  }): Promise<boolean | undefined> {
    const channel = await this.channelId(where.channel);
    // A DM's history needs im:history, which the bot does not ask for.
    if (!channel || channel.startsWith('D')) return undefined;
    const ids = new Set(where.fileIds);
    const found = await this.findOwn({ ...where, channel }, (m) =>
      (m.files ?? []).some((f) => ids.has((f as { id?: string }).id ?? '')),
    );
    return found === 'unknown' ? undefined : found !== 'none';
  }

  async findPosted(where: {
    channel: string;
    threadTs?: string | undefined;
    eventType: string;
    field: string;
    value: string;
    oldest: Date;
  }): Promise<SlackPosted | undefined> {
    // Posts may name a channel; history wants its id.
    const channel = await this.channelId(where.channel);
    if (!channel) return undefined;
    const found = await this.findOwn({ ...where, channel }, (m) => {
      const metadata = m.metadata;
      return metadata?.event_type === where.eventType && String(metadata.event_payload?.[where.field]) === where.value;
    });
    // Not found, or not knowable: post (a second copy is better than a lost message).
    return typeof found === 'object' && found.metadata
      ? { ts: found.ts, channel, metadata: found.metadata }
      : undefined;
  }

  /**
   * The bot's first message since `oldest` in the channel (or thread) that `match` accepts; `none` when every
   * page was read without one; `unknown` past the pages read, or when Slack refuses the history (not a
   * member, a group DM without mpim:history).
   */
  private async findOwn(
    where: { channel: string; threadTs?: string | undefined; oldest: Date },
    match: (message: HistoryMessage) => boolean,
  ): Promise<HistoryMessage | 'none' | 'unknown'> {
    const bot = await this.botUserId();
    const { channel } = where;
    const oldest = (Math.floor(where.oldest.getTime() / 1000) - 1).toFixed(6);
    let cursor: string | undefined;
    try {
      for (let page = 0; page < HISTORY_PAGES; page++) {
        const args = { channel, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) };
        const result = where.threadTs
          ? await callSlack('conversations.replies', () =>
              this.client.conversations.replies({ ...args, ts: where.threadTs as string }),
            )
          : await callSlack('conversations.history', () => this.client.conversations.history(args));
        const found = (result.messages as HistoryMessage[] | undefined)?.find((m) => m.user === bot && match(m));
        if (found) return found;
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!cursor) return 'none';
      }
    } catch (error) {
      if (error instanceof AppError && error.kind === 'domain') return 'unknown';
      throw error;
    }
    return 'unknown';
  }

  /** A channel's id: given as one, or looked up by name (with or without `#`). */
  private async channelId(channel: string): Promise<string | undefined> {
    if (/^[CGD][A-Z0-9]+$/.test(channel)) return channel;
    return (await this.findChannel(channel.replace(/^#/, '')))?.id;
  }

  async postEphemeral(message: {
    channel: string;
    user: string;
    text: string;
    blocks?: Block[];
    threadTs?: string;
  }): Promise<void> {
    await callSlack('chat.postEphemeral', () =>
      this.client.chat.postEphemeral({
        channel: message.channel,
        user: message.user,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
        ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      }),
    );
  }

  async openModal(triggerId: string, view: Block): Promise<void> {
    await callSlack('views.open', () => this.client.views.open({ trigger_id: triggerId, view: view as never }));
  }

  async createChannel(name: string): Promise<{ id: string } | { nameTaken: true }> {
    try {
      const result = await this.client.conversations.create({ name });
      return { id: result.channel?.id as string };
    } catch (error) {
      if (platformError(error)?.error === 'name_taken') return { nameTaken: true };
      throw toSlackAppError('conversations.create', error);
    }
  }

  async findChannel(name: string): Promise<ChannelInfo | undefined> {
    const bot = await this.botUserId();
    let cursor: string | undefined;
    do {
      const page = await callSlack('conversations.list', () =>
        this.client.conversations.list({
          types: 'public_channel,private_channel',
          limit: 200,
          ...(cursor ? { cursor } : {}),
        }),
      );
      const found = page.channels?.find((c) => c.name === name);
      if (found?.id)
        return { id: found.id, name, createdByBot: found.creator === bot, purpose: found.purpose?.value ?? '' };
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return undefined;
  }

  async invite(channel: string, users: string[]): Promise<InviteResult> {
    if (users.length === 0) return { invited: [], failed: [] };
    // force: invite the valid users even when some are refused; Slack lists the refusals in `errors`.
    let refusals: Array<{ user?: string; error?: string }> = [];
    try {
      const result = await this.client.conversations.invite({ channel, users: users.join(','), force: true });
      refusals = (result as { errors?: typeof refusals }).errors ?? [];
    } catch (error) {
      const data = platformError(error);
      if (!data?.errors) throw toSlackAppError('conversations.invite', error);
      refusals = data.errors;
    }
    // Already being a member is success, not a failure to report.
    const failed = refusals
      .filter((r) => r.error !== 'already_in_channel' && r.error !== 'cant_invite_self')
      .map((r) => ({ user: r.user ?? '?', error: r.error ?? 'unknown' }));
    const refused = new Set(refusals.map((r) => r.user));
    return { invited: users.filter((u) => !refused.has(u)), failed };
  }

  async setTopic(channel: string, topic: string): Promise<void> {
    await callSlack('conversations.setTopic', () => this.client.conversations.setTopic({ channel, topic }));
  }

  async setPurpose(channel: string, purpose: string): Promise<void> {
    await callSlack('conversations.setPurpose', () => this.client.conversations.setPurpose({ channel, purpose }));
  }

  async pin(channel: string, ts: string): Promise<void> {
    try {
      await this.client.pins.add({ channel, timestamp: ts });
    } catch (error) {
      if (platformError(error)?.error !== 'already_pinned') throw toSlackAppError('pins.add', error);
    }
  }

  async permalink(channel: string, ts: string): Promise<string> {
    const result = await callSlack('chat.getPermalink', () =>
      this.client.chat.getPermalink({ channel, message_ts: ts }),
    );
    return result.permalink as string;
  }

  private botUserId(): Promise<string> {
    this.botUser ??= callSlack('auth.test', () => this.client.auth.test()).then((r) => r.user_id as string);
    this.botUser.catch(() => (this.botUser = undefined));
    return this.botUser;
  }
}
