import { AppError } from '../app-error.ts';
import type { SlackClient } from './slack-client.ts';
import { callSlack } from './slack-errors.ts';

const HISTORY_PAGES = 5;

/** Message metadata as Slack stores it; the outbox puts its key here to recognise its own posts. */
export interface SlackMessageMetadata {
  event_type: string;
  event_payload: Record<string, string | number | boolean>;
}

/** What the outbox's look-ups read of a message in conversations.history / replies. */
export interface HistoryMessage {
  ts: string;
  user?: string;
  metadata?: SlackMessageMetadata;
  files?: unknown[];
}

/**
 * The bot's (`botUserId`) first message since `oldest` in the channel (or thread) that `match` accepts;
 * `none` when every page was read without one; `unknown` past the pages read, or when Slack refuses the
 * history (not a member, a group DM without mpim:history).
 */
export async function findOwnMessage(
  client: SlackClient,
  botUserId: string,
  where: { channel: string; threadTs?: string | undefined; oldest: Date },
  match: (message: HistoryMessage) => boolean,
): Promise<HistoryMessage | 'none' | 'unknown'> {
  const { channel } = where;
  const oldest = (Math.floor(where.oldest.getTime() / 1000) - 1).toFixed(6);
  let cursor: string | undefined;
  try {
    for (let page = 0; page < HISTORY_PAGES; page++) {
      const args = { channel, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) };
      const result = where.threadTs
        ? await callSlack('conversations.replies', () =>
            client.conversations.replies({ ...args, ts: where.threadTs as string }),
          )
        : await callSlack('conversations.history', () => client.conversations.history(args));
      const found = (result.messages as HistoryMessage[] | undefined)?.find((m) => m.user === botUserId && match(m));
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
