import type { SlackDirectory } from '../permissions/directory.ts';
import type { SlackClient } from './slack-client.ts';
import { callSlack, withSlackRetries } from './slack-errors.ts';

/** Lookups sit on the request path (authorisation): rate limits and Slack's trouble are retried this long. */
const LOOKUP_DEADLINE_MS = 10_000;

/** User groups and channel names from the Slack Web API. */
export class WebApiDirectory implements SlackDirectory {
  constructor(private readonly client: SlackClient) {}

  async usergroupMembers(ref: string): Promise<string[]> {
    let id = ref;
    if (!/^S[A-Z0-9]+$/.test(ref)) {
      const handle = ref.replace(/^@/, '');
      const groups = await this.lookup('usergroups.list', () => this.client.usergroups.list({}));
      const found = groups.usergroups?.find((g) => g.handle === handle);
      if (!found?.id) return [];
      id = found.id;
    }
    const result = await this.lookup('usergroups.users.list', () =>
      this.client.usergroups.users.list({ usergroup: id }),
    );
    return result.users ?? [];
  }

  async channelName(channelId: string): Promise<string> {
    const result = await this.lookup('conversations.info', () =>
      this.client.conversations.info({ channel: channelId }),
    );
    return result.channel?.name ?? channelId;
  }

  private lookup<T>(method: string, work: () => Promise<T>): Promise<T> {
    return withSlackRetries(() => callSlack(method, work), LOOKUP_DEADLINE_MS);
  }
}
