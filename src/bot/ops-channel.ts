import type { ActionDeps } from '../handlers/core/action-deps.ts';

const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

/**
 * The ops channel's id from the policy's `channels.ops` (a name or an id): surfaces without a channel
 * (the App Home) act there, and a click bound to a message there carries its id. Throws when Slack
 * does not know the name.
 */
export async function opsChannelId(deps: Pick<ActionDeps, 'channels' | 'notifier'>): Promise<string> {
  const ref = deps.channels.ops;
  if (CHANNEL_ID.test(ref)) return ref;
  const found = await deps.notifier.findChannel(ref.replace(/^#/, ''));
  if (!found) throw new Error(`no channel named ${ref}`);
  return found.id;
}
