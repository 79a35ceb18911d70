import { SlackApiError } from '../api-error.ts';
import { wireMessage } from '../message-store.ts';
import type { EmuChannel, EmuMessage, Json } from '../types.ts';
import {
  bool,
  channelObject,
  decodeCursor,
  encodeCursor,
  findChannel,
  int,
  isMember,
  paginate,
  readableChannel,
  required,
  str,
} from './context.ts';
import type { MethodContext, MethodHandler } from './context.ts';

const NAME_MAX = 80;
const TOPIC_MAX = 250;

const create: MethodHandler = ({ state, args }) => {
  const name = required(args, 'name', 'invalid_name_required');
  if (name.length > NAME_MAX) throw new SlackApiError('invalid_name_maxlength');
  if (/[A-Z]/.test(name)) throw new SlackApiError('invalid_name_specials');
  if (!/^[a-z0-9_-]+$/.test(name)) throw new SlackApiError('invalid_name_specials');
  if (/^[-_]+$/.test(name)) throw new SlackApiError('invalid_name_punctuation');
  // Archived channels keep their names, so they still collide.
  if ([...state.channels.values()].some((c) => !c.is_im && c.name === name)) throw new SlackApiError('name_taken');
  const now = state.nowSeconds();
  const channel: EmuChannel = {
    id: state.newId('C'),
    name,
    is_private: bool(args, 'is_private'),
    is_im: false,
    is_archived: false,
    created: now,
    creator: state.identity.botUserId,
    topic: { value: '', creator: '', last_set: 0 },
    purpose: { value: '', creator: '', last_set: 0 },
    members: [state.identity.botUserId],
  };
  state.channels.set(channel.id, channel);
  state.messages.set(channel.id, []);
  state.changed(`channel created ${name}`);
  return { channel: channelObject(state, channel) };
};

/** Channel the bot acts on as a member (invite/topic/archive need membership). */
function memberChannel({ state, args }: MethodContext): EmuChannel {
  const channel = findChannel(state, str(args, 'channel'));
  if (!isMember(state, channel)) throw new SlackApiError(channel.is_private ? 'channel_not_found' : 'not_in_channel');
  if (channel.is_archived) throw new SlackApiError('is_archived');
  return channel;
}

const invite: MethodHandler = (ctx) => {
  const { state, args } = ctx;
  const channel = memberChannel(ctx);
  const ids = required(args, 'users', 'no_user')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new SlackApiError('no_user');
  const errors: Json[] = [];
  const valid: string[] = [];
  for (const id of ids) {
    const user = state.users.get(id);
    const error =
      !user || user.deleted
        ? 'user_not_found'
        : id === state.identity.botUserId
          ? 'cant_invite_self'
          : channel.members.includes(id)
            ? 'already_in_channel'
            : undefined;
    if (error) errors.push({ user: id, ok: false, error });
    else if (!valid.includes(id)) valid.push(id);
  }
  // Without force, one bad user fails the whole call and nobody is invited (Slack's documented behaviour).
  const first = errors[0];
  if (first && (!bool(args, 'force') || valid.length === 0)) {
    throw new SlackApiError(String(first.error), { errors });
  }
  channel.members.push(...valid);
  state.changed(`invite ${channel.id} ${valid.join(',')}`);
  const result: Json = { channel: channelObject(state, channel) };
  if (errors.length > 0) result.errors = errors;
  return result;
};

const join: MethodHandler = ({ state, args }) => {
  const channel = findChannel(state, str(args, 'channel'));
  if (channel.is_private || channel.is_im) {
    throw new SlackApiError(isMember(state, channel) ? 'method_not_supported_for_channel_type' : 'channel_not_found');
  }
  if (channel.is_archived) throw new SlackApiError('is_archived');
  if (isMember(state, channel)) {
    return {
      channel: channelObject(state, channel),
      warning: 'already_in_channel',
      response_metadata: { warnings: ['already_in_channel'] },
    };
  }
  channel.members.push(state.identity.botUserId);
  state.changed(`join ${channel.id}`);
  return { channel: channelObject(state, channel) };
};

function setField(field: 'topic' | 'purpose'): MethodHandler {
  return (ctx) => {
    const { state, args } = ctx;
    const channel = memberChannel(ctx);
    const value = str(args, field) ?? '';
    if (value.length > TOPIC_MAX) throw new SlackApiError('too_long');
    channel[field] = { value, creator: state.identity.botUserId, last_set: state.nowSeconds() };
    state.changed(`${field} ${channel.id}`);
    return { channel: channelObject(state, channel) };
  };
}

const info: MethodHandler = ({ state, args }) => {
  const channel = findChannel(state, str(args, 'channel'));
  if (channel.is_private && !isMember(state, channel)) throw new SlackApiError('channel_not_found');
  return { channel: channelObject(state, channel, bool(args, 'include_num_members')) };
};

/** Shared by history (newest first) and replies (oldest first): ts-window filter + ts cursor. */
function window(
  messages: EmuMessage[],
  args: Json,
  newestFirst: boolean,
): { page: EmuMessage[]; hasMore: boolean; next: string } {
  const inclusive = bool(args, 'inclusive');
  const oldest = str(args, 'oldest');
  const latest = str(args, 'latest');
  const n = (ts: string): number => Number(ts);
  let list = messages.filter(
    (m) =>
      (oldest === undefined || (inclusive ? n(m.ts) >= n(oldest) : n(m.ts) > n(oldest))) &&
      (latest === undefined || (inclusive ? n(m.ts) <= n(latest) : n(m.ts) < n(latest))),
  );
  if (newestFirst) list = [...list].reverse();
  const cursorTs = decodeCursor(str(args, 'cursor'), 'next_ts');
  if (cursorTs !== undefined) {
    const start = list.findIndex((m) => m.ts === cursorTs);
    list = start < 0 ? [] : list.slice(start);
  }
  const limit = Math.min(int(args, 'limit', 100), 999);
  const page = list.slice(0, limit);
  const following = list[limit];
  return { page, hasMore: following !== undefined, next: following ? encodeCursor('next_ts', following.ts) : '' };
}

/** As Slack: history and replies return message `metadata` only when asked with include_all_metadata. */
function listedMessage(state: MethodContext['state'], message: EmuMessage, args: Json): Json {
  const wire = wireMessage(state, message);
  if (!bool(args, 'include_all_metadata')) delete wire.metadata;
  return wire;
}

const history: MethodHandler = ({ state, args }) => {
  const channel = readableChannel(state, str(args, 'channel'));
  const { page, hasMore, next } = window(state.topLevel(channel.id), args, true);
  return {
    messages: page.map((m) => listedMessage(state, m, args)),
    has_more: hasMore,
    pin_count: state.pins.get(channel.id)?.length ?? 0,
    channel_actions_ts: null,
    channel_actions_count: 0,
    response_metadata: { next_cursor: next },
  };
};

const replies: MethodHandler = ({ state, args }) => {
  const channel = readableChannel(state, str(args, 'channel'));
  const ts = required(args, 'ts', 'thread_not_found');
  const root = state.findMessage(channel.id, ts);
  if (!root) throw new SlackApiError('thread_not_found');
  const thread = state.threadOf(channel.id, root.thread_ts ?? root.ts);
  const { page, hasMore, next } = window(thread, args, false);
  return {
    messages: page.map((m) => listedMessage(state, m, args)),
    has_more: hasMore,
    response_metadata: { next_cursor: next },
  };
};

const archive: MethodHandler = ({ state, args }) => {
  const channel = findChannel(state, str(args, 'channel'));
  if (channel.is_archived) throw new SlackApiError('already_archived');
  if (!isMember(state, channel)) throw new SlackApiError(channel.is_private ? 'channel_not_found' : 'not_in_channel');
  if (channel.is_im) throw new SlackApiError('method_not_supported_for_channel_type');
  channel.is_archived = true;
  state.changed(`archive ${channel.id}`);
  return {};
};

const unarchive: MethodHandler = ({ state, args }) => {
  const channel = findChannel(state, str(args, 'channel'));
  if (!channel.is_archived) throw new SlackApiError('not_archived');
  channel.is_archived = false;
  state.changed(`unarchive ${channel.id}`);
  return {};
};

const members: MethodHandler = ({ state, args }) => {
  const channel = findChannel(state, str(args, 'channel'));
  if (channel.is_private && !isMember(state, channel)) throw new SlackApiError('channel_not_found');
  const { page, next_cursor } = paginate(channel.members, args, 100);
  return { members: page, response_metadata: { next_cursor } };
};

const list: MethodHandler = ({ state, args }) => {
  const types = (str(args, 'types') ?? 'public_channel').split(',');
  const excludeArchived = bool(args, 'exclude_archived');
  const visible = [...state.channels.values()].filter((c) => {
    if (excludeArchived && c.is_archived) return false;
    if (c.is_im) return types.includes('im');
    if (c.is_private) return types.includes('private_channel') && isMember(state, c);
    return types.includes('public_channel');
  });
  const { page, next_cursor } = paginate(visible, args, 100);
  return { channels: page.map((c) => channelObject(state, c)), response_metadata: { next_cursor } };
};

const open: MethodHandler = ({ state, args }) => {
  const users = required(args, 'users', 'users_list_not_supplied').split(',');
  const [only] = users;
  if (users.length !== 1 || !only) throw new SlackApiError('not_supported_in_emulator');
  const user = state.users.get(only.trim());
  if (!user) throw new SlackApiError('user_not_found');
  const channel = state.imChannelFor(user.id);
  return { channel: { id: channel.id } };
};

export const conversationMethods: Record<string, MethodHandler> = {
  'conversations.create': create,
  'conversations.invite': invite,
  'conversations.join': join,
  'conversations.setTopic': setField('topic'),
  'conversations.setPurpose': setField('purpose'),
  'conversations.info': info,
  'conversations.history': history,
  'conversations.replies': replies,
  'conversations.archive': archive,
  'conversations.unarchive': unarchive,
  'conversations.members': members,
  'conversations.list': list,
  'conversations.open': open,
};
