import { SlackApiError } from '../api-error.ts';
import { wireMessage } from '../message-store.ts';
import type { SlackState } from '../state.ts';
import type { EmuUser, EmuUsergroup, Json } from '../types.ts';
import { bool, findChannel, isMember, paginate, required, str } from './context.ts';
import type { MethodHandler } from './context.ts';

export function userObject(state: SlackState, user: EmuUser): Json {
  return {
    id: user.id,
    team_id: user.team_id,
    name: user.name,
    deleted: user.deleted,
    real_name: user.real_name,
    tz: 'Etc/UTC',
    tz_offset: 0,
    is_admin: false,
    is_owner: false,
    is_bot: user.is_bot,
    is_app_user: false,
    updated: state.nowSeconds(),
    profile: { ...user.profile, team: user.team_id },
  };
}

function usergroupObject(group: EmuUsergroup, includeUsers: boolean): Json {
  const out: Json = {
    id: group.id,
    team_id: group.team_id,
    is_usergroup: true,
    is_subteam: true,
    name: group.name,
    description: '',
    handle: group.handle,
    is_external: false,
    date_create: group.date_create,
    date_update: group.date_create,
    date_delete: 0,
    auto_type: null,
    created_by: '',
    prefs: { channels: [], groups: [] },
    user_count: group.users.length,
  };
  if (includeUsers) out.users = [...group.users];
  return out;
}

const authTest: MethodHandler = ({ state }) => {
  const { teamId, teamDomain, teamName, botUserId, botId, appId } = state.identity;
  return {
    url: `https://${teamDomain}.slack.com/`,
    team: teamName,
    user: state.users.get(botUserId)?.name ?? 'eafix',
    team_id: teamId,
    user_id: botUserId,
    bot_id: botId,
    app_id: appId,
    is_enterprise_install: false,
  };
};

function pinChannel(state: SlackState, args: Json) {
  const channel = findChannel(state, str(args, 'channel'));
  if (!isMember(state, channel)) throw new SlackApiError(channel.is_private ? 'channel_not_found' : 'not_in_channel');
  return channel;
}

const pinsAdd: MethodHandler = ({ state, args }) => {
  const channel = pinChannel(state, args);
  if (channel.is_archived) throw new SlackApiError('is_archived');
  const ts = required(args, 'timestamp', 'no_item_specified');
  if (!state.findMessage(channel.id, ts)) throw new SlackApiError('message_not_found');
  const pins = state.pins.get(channel.id) ?? [];
  if (pins.some((p) => p.ts === ts)) throw new SlackApiError('already_pinned');
  pins.push({ ts, created: state.nowSeconds(), created_by: state.identity.botUserId });
  state.pins.set(channel.id, pins);
  state.changed(`pin ${channel.id} ${ts}`);
  return {};
};

const pinsRemove: MethodHandler = ({ state, args }) => {
  const channel = pinChannel(state, args);
  const ts = required(args, 'timestamp', 'no_item_specified');
  const pins = state.pins.get(channel.id) ?? [];
  const index = pins.findIndex((p) => p.ts === ts);
  if (index < 0) throw new SlackApiError('no_pin');
  pins.splice(index, 1);
  state.changed(`unpin ${channel.id} ${ts}`);
  return {};
};

const pinsList: MethodHandler = ({ state, args }) => {
  const channel = pinChannel(state, args);
  const items = (state.pins.get(channel.id) ?? []).flatMap((pin) => {
    const message = state.findMessage(channel.id, pin.ts);
    return message
      ? [
          {
            type: 'message',
            created: pin.created,
            created_by: pin.created_by,
            channel: channel.id,
            message: wireMessage(state, message),
          },
        ]
      : [];
  });
  return { items };
};

const usergroupsList: MethodHandler = ({ state, args }) => ({
  usergroups: [...state.usergroups.values()].map((g) => usergroupObject(g, bool(args, 'include_users'))),
});

const usergroupUsers: MethodHandler = ({ state, args }) => {
  const group = state.usergroups.get(required(args, 'usergroup', 'no_such_subteam'));
  if (!group) throw new SlackApiError('no_such_subteam');
  return { users: [...group.users] };
};

const usersInfo: MethodHandler = ({ state, args }) => {
  const user = state.users.get(required(args, 'user', 'user_not_found'));
  if (!user) throw new SlackApiError('user_not_found');
  return { user: userObject(state, user) };
};

const usersList: MethodHandler = ({ state, args }) => {
  const { page, next_cursor } = paginate([...state.users.values()], args, 200);
  return {
    members: page.map((u) => userObject(state, u)),
    cache_ts: state.nowSeconds(),
    response_metadata: { next_cursor },
  };
};

const lookupByEmail: MethodHandler = ({ state, args }) => {
  const email = required(args, 'email', 'users_not_found').toLowerCase();
  const user = [...state.users.values()].find((u) => u.profile.email?.toLowerCase() === email);
  if (!user) throw new SlackApiError('users_not_found');
  return { user: userObject(state, user) };
};

export const workspaceMethods: Record<string, MethodHandler> = {
  'auth.test': authTest,
  'pins.add': pinsAdd,
  'pins.remove': pinsRemove,
  'pins.list': pinsList,
  'usergroups.list': usergroupsList,
  'usergroups.users.list': usergroupUsers,
  'users.info': usersInfo,
  'users.list': usersList,
  'users.lookupByEmail': lookupByEmail,
};
