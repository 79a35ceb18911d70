import { SlackApiError, validationError } from './api-error.ts';
import { fillBlockIds, LIMITS, validateMessageBlocks } from './block-kit-limits.ts';
import type { SlackState } from './state.ts';
import type { EmuEphemeral, EmuMessage, EphemeralSource, Json } from './types.ts';

export interface MessageContent {
  text?: string;
  blocks?: Json[];
  attachments?: Json[];
}

/** Parses a `blocks`/`attachments` argument that may be a JSON string (form bodies) or an array (JSON bodies). */
export function parseJsonArray(value: unknown, formatError: string): Json[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new SlackApiError(formatError);
    }
  }
  if (!Array.isArray(parsed)) throw new SlackApiError(formatError);
  return parsed as Json[];
}

/** Validates text/blocks like chat.postMessage does and returns the content to store. */
export function messageContent(state: SlackState, args: Json, requireSomething = true): MessageContent {
  const blocks = parseJsonArray(args.blocks, 'invalid_blocks_format');
  const attachments = parseJsonArray(args.attachments, 'invalid_attachments');
  const text = args.text === undefined || args.text === null ? undefined : String(args.text);
  if (requireSomething && !text && (!blocks || blocks.length === 0) && (!attachments || attachments.length === 0)) {
    throw new SlackApiError('no_text');
  }
  if (blocks) {
    const problems = validateMessageBlocks(blocks);
    if (problems.length > 0) throw validationError('invalid_blocks', problems);
  }
  if (text !== undefined && text.length > LIMITS.messageText) throw new SlackApiError('msg_too_long');
  return {
    text,
    blocks: blocks ? fillBlockIds(blocks, () => state.randomToken().slice(0, 5)) : undefined,
    attachments,
  };
}

export interface PostOptions extends MessageContent {
  threadTs?: string;
  replyBroadcast?: boolean;
  files?: Json[];
  metadata?: Json;
}

/** Stores a message from the bot (threading bookkeeping included) and returns it. */
export function postBotMessage(state: SlackState, channelId: string, options: PostOptions): EmuMessage {
  const { botUserId, botId, appId, teamId } = state.identity;
  const list = state.channelMessages(channelId);
  let threadTs: string | undefined;
  if (options.threadTs !== undefined) {
    if (!/^\d+\.\d+$/.test(options.threadTs)) throw new SlackApiError('invalid_thread_ts');
    const parent = list.find((m) => m.ts === options.threadTs);
    if (!parent) throw new SlackApiError('invalid_thread_ts');
    // Replying to a reply lands in the parent's thread, as in Slack.
    threadTs = parent.thread_ts ?? parent.ts;
  }
  const ts = state.nextTs();
  const message: EmuMessage = {
    type: 'message',
    ts,
    user: botUserId,
    bot_id: botId,
    app_id: appId,
    team: teamId,
    text: options.text ?? (options.blocks || options.attachments ? "This content can't be displayed." : ''),
  };
  if (options.blocks) message.blocks = options.blocks;
  if (options.attachments) message.attachments = options.attachments;
  if (options.files) {
    message.files = options.files;
    message.upload = true;
  }
  if (options.metadata) message.metadata = options.metadata;
  if (threadTs !== undefined) {
    const parent = list.find((m) => m.ts === threadTs);
    message.thread_ts = threadTs;
    message.parent_user_id = parent?.user;
    if (options.replyBroadcast) message.subtype = 'thread_broadcast';
    if (parent) {
      parent.thread_ts = parent.ts;
      parent.reply_count = (parent.reply_count ?? 0) + 1;
      const users = new Set(parent.reply_users ?? []);
      users.add(botUserId);
      parent.reply_users = [...users];
      parent.reply_users_count = users.size;
      parent.latest_reply = ts;
    }
  }
  list.push(message);
  state.changed(`message ${channelId} ${ts}`);
  return message;
}

/** Applies chat.update semantics: absent fields keep their value, `blocks: []` removes blocks. */
export function editMessage(state: SlackState, message: EmuMessage, content: MessageContent): void {
  if (content.text !== undefined) message.text = content.text;
  if (content.blocks !== undefined) {
    if (content.blocks.length === 0) delete message.blocks;
    else message.blocks = content.blocks;
  }
  if (content.attachments !== undefined) message.attachments = content.attachments;
  message.edited = { user: state.identity.botUserId, ts: state.nextTs() };
}

export function deleteMessage(state: SlackState, channelId: string, ts: string): void {
  const list = state.channelMessages(channelId);
  const index = list.findIndex((m) => m.ts === ts);
  if (index < 0) return;
  const [removed] = list.splice(index, 1);
  if (removed?.thread_ts && removed.thread_ts !== removed.ts) {
    const parent = list.find((m) => m.ts === removed.thread_ts);
    if (parent && parent.reply_count) parent.reply_count -= 1;
  }
  state.changed(`delete ${channelId} ${ts}`);
}

export function addEphemeral(
  state: SlackState,
  entry: { channel: string; user: string; text?: string; blocks?: Json[]; threadTs?: string; source: EphemeralSource },
): EmuEphemeral {
  const ephemeral: EmuEphemeral = {
    channel: entry.channel,
    user: entry.user,
    ts: state.nextTs(),
    text: entry.text ?? '',
    source: entry.source,
  };
  if (entry.blocks) ephemeral.blocks = entry.blocks;
  if (entry.threadTs) ephemeral.thread_ts = entry.threadTs;
  state.ephemerals.push(ephemeral);
  state.changed(`ephemeral ${entry.channel} ${entry.user}`);
  return ephemeral;
}

/** A copy of a message as Slack returns it (top-level `thread_ts` etc. included, internals stripped). */
export function wireMessage(state: SlackState, message: EmuMessage): Json {
  const out: Json = { ...message };
  if (message.bot_id === state.identity.botId) out.bot_profile = state.botProfile();
  return out;
}
