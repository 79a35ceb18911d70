import type { WebClient } from '@slack/web-api';
import type { SlackDirectory } from '../permissions/directory.ts';

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
