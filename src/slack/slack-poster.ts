import { AppError } from '../app-error.ts';
import type { Block } from '../handlers/core/reply.ts';
import type { ChannelInfo, InviteResult } from '../handlers/core/notifier.ts';
import type { SlackClient } from './slack-client.ts';
import { callSlack, slackPlatformError as platformError, toSlackAppError } from './slack-errors.ts';
import { uploadInThreeSteps, type SlackFileUpload } from './slack-file-upload.ts';
import { findOwnMessage, type SlackMessageMetadata } from './slack-history.ts';

export type { SlackFileUpload } from './slack-file-upload.ts';
export type { SlackMessageMetadata } from './slack-history.ts';

export { SlackRateLimitedError, isSlackRateLimited } from './slack-errors.ts';

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
    return uploadInThreeSteps(this.client, channelId, file, reserved, this.options.uploadTimeoutMs);
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
    const found = await findOwnMessage(this.client, await this.botUserId(), { ...where, channel }, (m) =>
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
    const found = await findOwnMessage(this.client, await this.botUserId(), { ...where, channel }, (m) => {
      const metadata = m.metadata;
      return metadata?.event_type === where.eventType && String(metadata.event_payload?.[where.field]) === where.value;
    });
    // Not found, or not knowable: post (a second copy is better than a lost message).
    return typeof found === 'object' && found.metadata
      ? { ts: found.ts, channel, metadata: found.metadata }
      : undefined;
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
