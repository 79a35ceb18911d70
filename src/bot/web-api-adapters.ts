import type { WebClient } from '@slack/web-api';
import type { ChannelInfo, InviteResult, Notifier, PostedMessage } from '../handlers/notifier.ts';
import type { Block } from '../handlers/reply.ts';
import type { SlackDirectory } from '../permissions/directory.ts';

/** Handlers' Notifier over the Slack Web API client (which retries 429s after Retry-After itself). */
export class WebApiNotifier implements Notifier {
  constructor(private readonly client: WebClient) {}

  async post(message: { channel: string; text: string; blocks?: Block[]; threadTs?: string }): Promise<PostedMessage> {
    const result = await this.client.chat.postMessage({
      channel: message.channel,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks as never } : {}),
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      unfurl_links: false,
    });
    return { channel: result.channel as string, ts: result.ts as string };
  }

  async update(message: { channel: string; ts: string; text: string; blocks?: Block[] }): Promise<void> {
    await this.client.chat.update({ channel: message.channel, ts: message.ts, text: message.text, blocks: (message.blocks ?? []) as never });
  }

  async ephemeral(message: { channel: string; user: string; text: string; blocks?: Block[]; threadTs?: string }): Promise<void> {
    await this.client.chat.postEphemeral({
      channel: message.channel,
      user: message.user,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks as never } : {}),
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    });
  }

  async upload(file: { channel: string; threadTs?: string; filename: string; content: string; title?: string; comment?: string }): Promise<void> {
    await this.client.filesUploadV2({
      channel_id: file.channel,
      ...(file.threadTs ? { thread_ts: file.threadTs } : {}),
      filename: file.filename,
      content: file.content,
      title: file.title ?? file.filename,
      ...(file.comment ? { initial_comment: file.comment } : {}),
    } as never);
  }

  async openModal(triggerId: string, view: Block): Promise<void> {
    await this.client.views.open({ trigger_id: triggerId, view: view as never });
  }

  async createChannel(name: string): Promise<{ id: string } | { nameTaken: true }> {
    try {
      const result = await this.client.conversations.create({ name });
      return { id: result.channel?.id as string };
    } catch (error) {
      if (platformError(error)?.error === 'name_taken') return { nameTaken: true };
      throw error;
    }
  }

  async findChannel(name: string): Promise<ChannelInfo | undefined> {
    const bot = await this.botUserId();
    let cursor: string | undefined;
    do {
      const page = await this.client.conversations.list({ types: 'public_channel,private_channel', limit: 200, ...(cursor ? { cursor } : {}) });
      const found = page.channels?.find((c) => c.name === name);
      if (found?.id) return { id: found.id, name, createdByBot: found.creator === bot, purpose: found.purpose?.value ?? '' };
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
      if (!data?.errors) throw error;
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
    await this.client.conversations.setTopic({ channel, topic });
  }

  async setPurpose(channel: string, purpose: string): Promise<void> {
    await this.client.conversations.setPurpose({ channel, purpose });
  }

  async pin(channel: string, ts: string): Promise<void> {
    try {
      await this.client.pins.add({ channel, timestamp: ts });
    } catch (error) {
      if (platformError(error)?.error !== 'already_pinned') throw error;
    }
  }

  async permalink(channel: string, ts: string): Promise<string> {
    const result = await this.client.chat.getPermalink({ channel, message_ts: ts });
    return result.permalink as string;
  }

  private botUser: Promise<string> | undefined;

  private botUserId(): Promise<string> {
    this.botUser ??= this.client.auth.test().then((r) => r.user_id as string);
    this.botUser.catch(() => (this.botUser = undefined));
    return this.botUser;
  }
}

/** The `data` of a Slack platform error (ok: false), or undefined for any other failure. */
function platformError(error: unknown): { error?: string; errors?: Array<{ user?: string; error?: string }> } | undefined {
  const e = error as { code?: string; data?: { error?: string; errors?: Array<{ user?: string; error?: string }> } };
  return e?.code === 'slack_webapi_platform_error' ? e.data : undefined;
}

/** User groups and channel names from the Slack Web API. */
export class WebApiDirectory implements SlackDirectory {
  constructor(private readonly client: WebClient) {}

  async usergroupMembers(ref: string): Promise<string[]> {
    let id = ref;
    if (!/^S[A-Z0-9]+$/.test(ref)) {
      const handle = ref.replace(/^@/, '');
      const groups = await this.client.usergroups.list({});
      const found = groups.usergroups?.find((g) => g.handle === handle);
      if (!found?.id) return [];
      id = found.id;
    }
    const result = await this.client.usergroups.users.list({ usergroup: id });
    return result.users ?? [];
  }

  async channelName(channelId: string): Promise<string> {
    const result = await this.client.conversations.info({ channel: channelId });
    return result.channel?.name ?? channelId;
  }
}
