import type { WebClient } from '@slack/web-api';
import type { Notifier, PostedMessage } from '../handlers/notifier.ts';
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
