import type { WebClient } from '@slack/web-api';

/** Doctor's Slack check: auth.test says who the token is, or why it is not usable. */
export function slackAuthProbe(client: WebClient): () => Promise<string> {
  return async () => {
    const result = await client.auth.test();
    return `authenticated as @${result.user ?? '?'} in ${result.team ?? '?'}`;
  };
}
