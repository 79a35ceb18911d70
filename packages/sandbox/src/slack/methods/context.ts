import { SlackApiError } from '../api-error.ts';
import type { SlackState } from '../state.ts';
import type { EmuChannel, Json } from '../types.ts';

export interface MethodContext {
  state: SlackState;
  args: Json;
  /** Emulator base URL, e.g. http://127.0.0.1:1234 (for upload URLs). */
  baseUrl: string;
  triggerTtlMs: number;
}

export type MethodHandler = (ctx: MethodContext) => Json | Promise<Json>;

export function str(args: Json, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

/** Missing required argument, reported the way Slack does for typed arguments. */
export function required(args: Json, name: string, error = 'invalid_arguments'): string {
  const value = str(args, name);
  if (value === undefined) {
    throw new SlackApiError(
      error,
      error === 'invalid_arguments'
        ? { response_metadata: { messages: [`[ERROR] missing required field: ${name}`] } }
        : {},
    );
  }
  return value;
}

export function bool(args: Json, name: string): boolean {
  const value = args[name];
  return value === true || value === 'true' || value === '1' || value === 1;
}

export function int(args: Json, name: string, fallback: number): number {
  const value = Number(args[name]);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

/** Parses an argument that may arrive as a JSON string (form bodies) or already as an object. */
export function jsonArg(args: Json, name: string, error = 'invalid_arguments'): unknown {
  const value = args[name];
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new SlackApiError(error, {
      response_metadata: { messages: [`[ERROR] invalid json [json-pointer:/${name}]`] },
    });
  }
}

export function isMember(state: SlackState, channel: EmuChannel, userId = state.identity.botUserId): boolean {
  return channel.members.includes(userId);
}

/** A channel by id (or by name/#name when `byName`), hidden when private and the bot is not in it. */
export function findChannel(state: SlackState, ref: string | undefined, byName = false): EmuChannel {
  if (ref === undefined) throw new SlackApiError('channel_not_found');
  const channel = byName ? state.channelByRef(ref) : state.channels.get(ref);
  if (!channel) throw new SlackApiError('channel_not_found');
  return channel;
}

/** Where the bot may write: public channels (chat:write.public), private ones it belongs to, not archived. */
export function writableChannel(state: SlackState, ref: string | undefined, byName = false): EmuChannel {
  const user = ref ? state.users.get(ref) : undefined;
  const channel = user ? state.imChannelFor(user.id) : findChannel(state, ref, byName);
  if (channel.is_private && !isMember(state, channel)) throw new SlackApiError('not_in_channel');
  if (channel.is_archived) throw new SlackApiError('is_archived');
  return channel;
}

/** Reading history requires membership, even for public channels. */
export function readableChannel(state: SlackState, ref: string | undefined): EmuChannel {
  const channel = findChannel(state, ref);
  if (!isMember(state, channel)) {
    throw new SlackApiError(channel.is_private ? 'channel_not_found' : 'not_in_channel');
  }
  return channel;
}

/** Opaque cursors like Slack's ("bmV4dF90czox…" = base64 of "next_ts:…"). */
export function encodeCursor(kind: string, value: string | number): string {
  return Buffer.from(`${kind}:${value}`).toString('base64');
}

export function decodeCursor(cursor: string | undefined, kind: string): string | undefined {
  if (!cursor) return undefined;
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  if (!decoded.startsWith(`${kind}:`)) throw new SlackApiError('invalid_cursor');
  return decoded.slice(kind.length + 1);
}

/** Offset pagination over a list with Slack's cursor envelope. */
export function paginate<T>(items: T[], args: Json, defaultLimit: number): { page: T[]; next_cursor: string } {
  const offset = Number(decodeCursor(str(args, 'cursor'), 'offset') ?? 0);
  const limit = int(args, 'limit', defaultLimit);
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? encodeCursor('offset', offset + limit) : '';
  return { page, next_cursor: next };
}

export function channelObject(state: SlackState, channel: EmuChannel, withCount = false): Json {
  const out: Json = {
    id: channel.id,
    name: channel.name,
    is_channel: !channel.is_im && !channel.is_private,
    is_group: !channel.is_im && channel.is_private,
    is_im: channel.is_im,
    is_mpim: false,
    is_private: channel.is_private,
    created: channel.created,
    creator: channel.creator,
    is_archived: channel.is_archived,
    is_general: false,
    unlinked: 0,
    name_normalized: channel.name,
    is_shared: false,
    is_ext_shared: false,
    is_org_shared: false,
    is_member: isMember(state, channel),
    topic: channel.topic,
    purpose: channel.purpose,
    context_team_id: state.identity.teamId,
  };
  if (channel.is_im) out.user = channel.user;
  if (withCount) out.num_members = channel.members.length;
  return out;
}
