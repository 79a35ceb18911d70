import type { SlackState } from './state.ts';
import type { EmuChannel, EmuUser, EmuUsergroup } from './types.ts';

export interface NewUser {
  name: string;
  realName?: string;
  id?: string;
  email?: string;
  isBot?: boolean;
}

export interface NewChannel {
  name: string;
  isPrivate?: boolean;
  /** User ids or names; the bot is a member only when listed (or `botMember`). */
  members?: string[];
  botMember?: boolean;
  id?: string;
  topic?: string;
  purpose?: string;
}

export interface NewUsergroup {
  handle: string;
  /** User ids or names. */
  users: string[];
  name?: string;
  id?: string;
}

/** The workspace's people, channels and user groups as a test or the sandbox sets them up. */
export function seedUser(state: SlackState, input: NewUser): EmuUser {
  const user: EmuUser = {
    id: input.id ?? state.newId('U'),
    team_id: state.identity.teamId,
    name: input.name,
    real_name: input.realName ?? input.name,
    is_bot: input.isBot ?? false,
    deleted: false,
    profile: {
      real_name: input.realName ?? input.name,
      display_name: input.name,
      email: input.email ?? `${input.name}@eafix.example`,
    },
  };
  state.users.set(user.id, user);
  state.changed(`user added ${user.name}`);
  return user;
}

/** A user's id from their id or name. */
export function userIdOf(state: SlackState, ref: string): string {
  const user = state.userByRef(ref);
  if (!user) throw new Error(`SlackEmulator: no user ${ref}`);
  return user.id;
}

export function seedChannel(state: SlackState, input: NewChannel): EmuChannel {
  const now = state.nowSeconds();
  const { botUserId } = state.identity;
  const members = (input.members ?? []).map((m) => userIdOf(state, m));
  if (input.botMember && !members.includes(botUserId)) members.push(botUserId);
  const channel: EmuChannel = {
    id: input.id ?? state.newId(input.isPrivate ? 'G' : 'C'),
    name: input.name,
    is_private: input.isPrivate ?? false,
    is_im: false,
    is_archived: false,
    created: now,
    creator: members[0] ?? botUserId,
    topic: { value: input.topic ?? '', creator: '', last_set: input.topic ? now : 0 },
    purpose: { value: input.purpose ?? '', creator: '', last_set: input.purpose ? now : 0 },
    members,
  };
  state.channels.set(channel.id, channel);
  state.messages.set(channel.id, []);
  state.changed(`channel added ${channel.name}`);
  return channel;
}

export function seedUsergroup(state: SlackState, input: NewUsergroup): EmuUsergroup {
  const group: EmuUsergroup = {
    id: input.id ?? state.newId('S'),
    team_id: state.identity.teamId,
    handle: input.handle,
    name: input.name ?? input.handle,
    users: input.users.map((u) => userIdOf(state, u)),
    date_create: state.nowSeconds(),
  };
  state.usergroups.set(group.id, group);
  state.changed(`usergroup added ${group.handle}`);
  return group;
}
