import { SlackApiError } from './api-error.ts';
import { addEphemeral, deleteMessage, editMessage, messageContent, postBotMessage } from './message-store.ts';
import type { SlackState } from './state.ts';
import type { Json, ResponseUrlRecord, ResponseUrlSource } from './types.ts';

/** Slack: a response_url may be used 5 times within 30 minutes. */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

export function issueResponseUrl(state: SlackState, baseUrl: string, source: ResponseUrlSource): string {
  const token = `${state.identity.teamId}/${state.newId('B')}/${state.randomToken()}`;
  const record: ResponseUrlRecord = { ...source, token, issuedAt: state.now(), uses: 0 };
  state.responseUrls.set(token, record);
  return `${baseUrl}/response/${token}`;
}

export interface ResponseUrlResult {
  status: number;
  body: Json;
}

/** Applies a POST to a response_url the way Slack does (ephemeral unless told otherwise). */
export function handleResponseUrl(state: SlackState, token: string, body: Json): ResponseUrlResult {
  const record = state.responseUrls.get(token);
  if (!record) return { status: 404, body: { ok: false, error: 'invalid_url' } };
  if (state.now() - record.issuedAt > RESPONSE_URL_TTL_MS)
    return { status: 404, body: { ok: false, error: 'expired_url' } };
  if (record.uses >= RESPONSE_URL_MAX_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
  record.uses += 1;
  try {
    apply(state, record, body);
    return { status: 200, body: { ok: true } };
  } catch (error) {
    if (error instanceof SlackApiError) return { status: 200, body: { ok: false, error: error.error, ...error.extra } };
    throw error;
  }
}

function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

function apply(state: SlackState, record: ResponseUrlRecord, body: Json): void {
  const { channel, user, messageTs, isEphemeral } = record;
  if (truthy(body.delete_original)) {
    if (!messageTs) throw new SlackApiError('message_not_found');
    if (isEphemeral) {
      const eph = state.ephemerals.find((e) => e.ts === messageTs && e.user === user);
      if (eph) eph.deleted = true;
      state.changed(`ephemeral deleted ${messageTs}`);
    } else {
      deleteMessage(state, channel, messageTs);
    }
    return;
  }
  const content = messageContent(state, body);
  if (truthy(body.replace_original) && messageTs) {
    if (isEphemeral) {
      const eph = state.ephemerals.find((e) => e.ts === messageTs && e.user === user);
      if (!eph) throw new SlackApiError('message_not_found');
      if (content.text !== undefined) eph.text = content.text;
      if (content.blocks !== undefined) eph.blocks = content.blocks;
      else delete eph.blocks;
      state.changed(`ephemeral replaced ${messageTs}`);
      return;
    }
    const message = state.findMessage(channel, messageTs);
    if (!message) throw new SlackApiError('message_not_found');
    // replace_original swaps the whole message: blocks not sent are dropped.
    editMessage(state, message, { ...content, blocks: content.blocks ?? [] });
    state.changed(`message replaced ${messageTs}`);
    return;
  }
  const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : record.threadTs;
  if (body.response_type === 'in_channel') {
    postBotMessage(state, channel, { ...content, threadTs });
    return;
  }
  addEphemeral(state, { channel, user, text: content.text, blocks: content.blocks, threadTs, source: 'response_url' });
}
