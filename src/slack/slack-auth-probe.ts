import type { SlackClient } from './slack-client.ts';

/** Doctor's Slack check: auth.test says who the token is, or why it is not usable. */
export function slackAuthProbe(client: SlackClient): () => Promise<string> {
  return async () => {
    const result = await client.auth.test();
    return `authenticated as @${result.user ?? '?'} in ${result.team ?? '?'}`;
  };
}
