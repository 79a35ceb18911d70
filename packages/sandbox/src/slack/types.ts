/** Shapes of the emulator's state. Field names follow Slack's wire format so objects can be returned as-is. */

export type Json = Record<string, unknown>;

export interface EmuUser {
  id: string;
  team_id: string;
  name: string;
  real_name: string;
  is_bot: boolean;
  deleted: boolean;
  profile: { real_name: string; display_name: string; email?: string; bot_id?: string };
}

export interface EmuUsergroup {
  id: string;
  team_id: string;
  handle: string;
  name: string;
  users: string[];
  date_create: number;
}

export interface EmuChannel {
  id: string;
  name: string;
  is_private: boolean;
  is_im: boolean;
  is_archived: boolean;
  created: number;
  creator: string;
  topic: { value: string; creator: string; last_set: number };
  purpose: { value: string; creator: string; last_set: number };
  members: string[];
  /** For IM channels: the other party. */
  user?: string;
}

export interface EmuFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  size: number;
  length: number;
  user: string;
  created: number;
  content?: Buffer;
  completed: boolean;
  shares: { public: Record<string, Json[]>; private: Record<string, Json[]> };
}

export interface EmuMessage {
  type: 'message';
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  team?: string;
  subtype?: string;
  blocks?: Json[];
  attachments?: Json[];
  files?: Json[];
  upload?: boolean;
  thread_ts?: string;
  parent_user_id?: string;
  reply_count?: number;
  reply_users?: string[];
  reply_users_count?: number;
  latest_reply?: string;
  edited?: { user: string; ts: string };
  metadata?: Json;
}

export type EphemeralSource = 'api' | 'command_ack' | 'response_url';

export interface EmuEphemeral {
  channel: string;
  user: string;
  ts: string;
  text: string;
  blocks?: Json[];
  thread_ts?: string;
  source: EphemeralSource;
  deleted?: boolean;
}

export interface EmuPin {
  ts: string;
  created: number;
  created_by: string;
}

export interface EmuView {
  id: string;
  type: 'modal' | 'home';
  user: string;
  hash: string;
  external_id?: string;
  /** True while shown (modal on the stack, or the published home tab). */
  open: boolean;
  /** The full view object exactly as Slack returns it. */
  view: Json;
}

export interface ApiCallRecord {
  method: string;
  args: Json;
  ok: boolean;
  error?: string;
  status: number;
  at: number;
}

export interface TriggerRecord {
  id: string;
  user: string;
  issuedAt: number;
  used: boolean;
}

export interface ResponseUrlSource {
  channel: string;
  user: string;
  /** The message an interaction came from, so replace_original/delete_original can act on it. */
  messageTs?: string;
  isEphemeral?: boolean;
  threadTs?: string;
}

export interface ResponseUrlRecord extends ResponseUrlSource {
  token: string;
  issuedAt: number;
  uses: number;
}
