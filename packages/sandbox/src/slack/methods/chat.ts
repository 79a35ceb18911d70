import { SlackApiError } from '../api-error.ts';
import {
  addEphemeral,
  deleteMessage,
  editMessage,
  messageContent,
  postBotMessage,
  wireMessage,
} from '../message-store.ts';
import type { Json } from '../types.ts';
import { bool, findChannel, isMember, jsonArg, required, str, writableChannel } from './context.ts';
import type { MethodHandler } from './context.ts';

const postMessage: MethodHandler = ({ state, args }) => {
  const channel = writableChannel(state, str(args, 'channel'), true);
  const content = messageContent(state, args);
  const metadata =
    args.metadata === undefined ? undefined : (jsonArg(args, 'metadata', 'invalid_metadata_format') as Json);
  const message = postBotMessage(state, channel.id, {
    ...content,
    threadTs: str(args, 'thread_ts'),
    replyBroadcast: bool(args, 'reply_broadcast'),
    metadata,
  });
  return { channel: channel.id, ts: message.ts, message: wireMessage(state, message) };
};

const update: MethodHandler = ({ state, args }) => {
  const channel = findChannel(state, str(args, 'channel'));
  if (channel.is_archived) throw new SlackApiError('is_archived');
  const ts = required(args, 'ts', 'message_not_found');
  const message = state.findMessage(channel.id, ts);
  if (!message) throw new SlackApiError('message_not_found');
  if (!state.isBotMessage(message)) throw new SlackApiError('cant_update_message');
  const content = messageContent(state, args, false);
  editMessage(state, message, content);
  state.changed(`update ${channel.id} ${ts}`);
  return { channel: channel.id, ts, text: message.text, message: wireMessage(state, message) };
};

const postEphemeral: MethodHandler = ({ state, args }) => {
  const channel = writableChannel(state, str(args, 'channel'), true);
  const user = state.users.get(required(args, 'user', 'user_not_found'));
  if (!user) throw new SlackApiError('user_not_found');
  if (!channel.is_im && !isMember(state, channel, user.id)) throw new SlackApiError('user_not_in_channel');
  const content = messageContent(state, args);
  const ephemeral = addEphemeral(state, {
    channel: channel.id,
    user: user.id,
    text: content.text,
    blocks: content.blocks,
    threadTs: str(args, 'thread_ts'),
    source: 'api',
  });
  return { message_ts: ephemeral.ts };
};

const getPermalink: MethodHandler = ({ state, args }) => {
  const channel = findChannel(state, str(args, 'channel'));
  const message = state.findMessage(channel.id, required(args, 'message_ts', 'message_not_found'));
  if (!message) throw new SlackApiError('message_not_found');
  return { channel: channel.id, permalink: state.permalink(channel.id, message.ts, message.thread_ts) };
};

const deleteHandler: MethodHandler = ({ state, args }) => {
  const channel = findChannel(state, str(args, 'channel'));
  const ts = required(args, 'ts', 'message_not_found');
  const message = state.findMessage(channel.id, ts);
  if (!message) throw new SlackApiError('message_not_found');
  if (!state.isBotMessage(message)) throw new SlackApiError('cant_delete_message');
  deleteMessage(state, channel.id, ts);
  return { channel: channel.id, ts };
};

export const chatMethods: Record<string, MethodHandler> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
  'chat.delete': deleteHandler,
};
