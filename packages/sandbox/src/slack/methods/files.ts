import { SlackApiError } from '../api-error.ts';
import { postBotMessage } from '../message-store.ts';
import type { SlackState } from '../state.ts';
import type { EmuFile, Json } from '../types.ts';
import { int, jsonArg, required, str, writableChannel } from './context.ts';
import type { MethodHandler } from './context.ts';

const MIME: Record<string, string> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  json: 'application/json',
  csv: 'text/csv',
  yaml: 'text/yaml',
  yml: 'text/yaml',
  png: 'image/png',
  jpg: 'image/jpeg',
  pdf: 'application/pdf',
  gz: 'application/gzip',
};

export function fileObject(state: SlackState, file: EmuFile, baseUrl: string): Json {
  const channels = Object.keys(file.shares.public);
  const groups = Object.keys(file.shares.private).filter((c) => !c.startsWith('D'));
  const ims = Object.keys(file.shares.private).filter((c) => c.startsWith('D'));
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.name,
    title: file.title,
    mimetype: file.mimetype,
    filetype: file.filetype,
    pretty_type: file.filetype.toUpperCase(),
    user: file.user,
    user_team: state.identity.teamId,
    editable: false,
    size: file.size,
    mode: 'hosted',
    is_external: false,
    external_type: '',
    is_public: channels.length > 0,
    public_url_shared: false,
    display_as_bot: false,
    username: '',
    url_private: `${baseUrl}/files/${file.id}/${encodeURIComponent(file.name)}`,
    url_private_download: `${baseUrl}/files/${file.id}/download/${encodeURIComponent(file.name)}`,
    permalink: `https://${state.identity.teamDomain}.slack.com/files/${state.identity.botUserId}/${file.id}/${file.name}`,
    comments_count: 0,
    shares: file.shares,
    channels,
    groups,
    ims,
    has_rich_preview: false,
    file_access: 'visible',
  };
}

const getUploadUrl: MethodHandler = ({ state, args, baseUrl }) => {
  const filename = required(args, 'filename');
  const length = int(args, 'length', -1);
  if (length < 0) {
    throw new SlackApiError('invalid_arguments', {
      response_metadata: { messages: ['[ERROR] missing required field: length'] },
    });
  }
  const ext = filename.includes('.') ? (filename.split('.').pop() ?? '').toLowerCase() : '';
  const file: EmuFile = {
    id: state.newId('F'),
    name: filename,
    title: filename,
    mimetype: MIME[ext] ?? 'application/octet-stream',
    filetype: ext || 'binary',
    size: length,
    length,
    user: state.identity.botUserId,
    created: state.nowSeconds(),
    completed: false,
    shares: { public: {}, private: {} },
  };
  state.files.set(file.id, file);
  state.changed(`file reserved ${file.id}`);
  return { upload_url: `${baseUrl}/upload/${file.id}`, file_id: file.id };
};

const completeUpload: MethodHandler = ({ state, args, baseUrl }) => {
  const entries = jsonArg(args, 'files');
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new SlackApiError('invalid_arguments', {
      response_metadata: { messages: ['[ERROR] missing required field: files'] },
    });
  }
  const files = entries.map((entry: unknown) => {
    const e = (entry ?? {}) as Json;
    const file = state.files.get(String(e.id));
    if (!file || file.content === undefined) throw new SlackApiError('file_not_found');
    if (typeof e.title === 'string' && e.title) file.title = e.title;
    return file;
  });
  const channelRef = str(args, 'channel_id') ?? str(args, 'channels');
  for (const file of files) file.completed = true;
  if (channelRef) {
    const channel = writableChannel(state, channelRef);
    const threadTs = str(args, 'thread_ts');
    // Bind the share first so the message carries complete file objects.
    const ts = state.nextTs();
    const bucket = channel.is_private ? 'private' : 'public';
    for (const file of files) {
      file.shares[bucket][channel.id] = [
        { ts, channel_name: channel.name, team_id: state.identity.teamId, share_user_id: file.user },
      ];
    }
    const message = postBotMessage(state, channel.id, {
      text: str(args, 'initial_comment') ?? '',
      blocks: args.blocks === undefined ? undefined : (jsonArg(args, 'blocks') as Json[]),
      threadTs,
      files: files.map((f) => fileObject(state, f, baseUrl)),
    });
    for (const file of files) {
      const share = file.shares[bucket][channel.id]?.[0];
      if (share) {
        share.ts = message.ts;
        if (message.thread_ts) share.thread_ts = message.thread_ts;
      }
    }
  }
  state.changed('files completed');
  return { files: files.map((f) => ({ id: f.id, title: f.title, ...fileObject(state, f, baseUrl) })) };
};

const info: MethodHandler = ({ state, args, baseUrl }) => {
  const file = state.files.get(required(args, 'file', 'file_not_found'));
  if (!file || !file.completed) throw new SlackApiError('file_not_found');
  return { file: fileObject(state, file, baseUrl) };
};

export const fileMethods: Record<string, MethodHandler> = {
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': completeUpload,
  'files.info': info,
};
