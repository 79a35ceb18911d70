import type { DriverResponse, SignedTransport } from './driver-transport.ts';
import { findButton, payloadTeam, payloadUser } from './interaction-payloads.ts';
import type { ButtonQuery } from './interaction-payloads.ts';
import { wireMessage } from './message-store.ts';
import type { SlackEmulator } from './slack-emulator.ts';
import type { EmuChannel, Json } from './types.ts';

export interface ClickInput extends ButtonQuery {
  user: string;
  /** For message buttons (channel messages or ephemerals). */
  channel?: string;
  messageTs?: string;
  /**
   * The message's blocks as the user's screen still shows them: a click on a stale copy (a second click
   * before Slack redrew the message without its buttons). Default: the message as it stands.
   */
  shownBlocks?: Json[];
  /** For buttons in a modal or App Home view. */
  viewId?: string;
}

export interface ClickResult extends DriverResponse {
  triggerId: string;
  responseUrl?: string;
}

/** A channel by name, or a user's DM by user id. */
export function channelByRef(emu: SlackEmulator, ref: string): EmuChannel {
  const user = emu.state.users.get(ref);
  if (user) return emu.state.imChannelFor(user.id);
  return emu.channelByName(ref);
}

/** The channel's name as interaction payloads carry it. */
export function channelName(channel: EmuChannel): string {
  if (channel.is_im) return 'directmessage';
  return channel.is_private ? 'privategroup' : channel.name;
}

/**
 * A click on a button of a channel message, an ephemeral or a view, as Slack sends it: a signed
 * block_actions payload with a fresh trigger id, the message (channel messages only) and a response_url.
 */
export async function clickButton(
  emu: SlackEmulator,
  transport: SignedTransport,
  verificationToken: string,
  input: ClickInput,
): Promise<ClickResult> {
  const user = emu.state.userByRef(input.user);
  if (!user) throw new Error(`SlackDriver: no user ${input.user}`);
  const triggerId = emu.issueTriggerId(user.id);
  const { appId } = emu.state.identity;
  const actionTs = emu.state.nextTs();
  const base: Json = {
    type: 'block_actions',
    user: payloadUser(user),
    api_app_id: appId,
    token: verificationToken,
    trigger_id: triggerId,
    team: payloadTeam(emu.state),
    enterprise: null,
    is_enterprise_install: false,
  };
  const action = (blockId: string, element: Json): Json => ({
    action_id: element.action_id,
    block_id: blockId,
    text: element.text,
    value: element.value,
    ...(element.style ? { style: element.style } : {}),
    type: 'button',
    action_ts: actionTs,
  });

  if (input.viewId) {
    const view = emu.view(input.viewId);
    if (!view || !view.open) throw new Error(`SlackDriver: view ${input.viewId} is not open`);
    const { blockId, element } = findButton(view.view.blocks, input);
    const payload = {
      ...base,
      container: { type: 'view', view_id: view.id },
      view: view.view,
      actions: [action(blockId, element)],
    };
    return { ...(await transport.postForm({ payload: JSON.stringify(payload) })), triggerId };
  }

  if (!input.channel || !input.messageTs) throw new Error('SlackDriver.clickButton needs channel+messageTs or viewId');
  const channel = channelByRef(emu, input.channel);
  const message = emu.state.findMessage(channel.id, input.messageTs);
  const ephemeral = message
    ? undefined
    : emu.state.ephemerals.find((e) => e.ts === input.messageTs && e.user === user.id && !e.deleted);
  if (!message && !ephemeral) throw new Error(`SlackDriver: no message ${input.messageTs} in ${input.channel}`);
  const blocks = input.shownBlocks ?? (message ? message.blocks : ephemeral?.blocks);
  const { blockId, element } = findButton(blocks, input);
  const threadTs = message?.thread_ts ?? ephemeral?.thread_ts;
  const responseUrl = emu.issueResponseUrl({
    channel: channel.id,
    user: user.id,
    messageTs: input.messageTs,
    isEphemeral: !message,
    threadTs,
  });
  const payload: Json = {
    ...base,
    container: { type: 'message', message_ts: input.messageTs, channel_id: channel.id, is_ephemeral: !message },
    channel: { id: channel.id, name: channelName(channel) },
    state: { values: {} },
    response_url: responseUrl,
    actions: [action(blockId, element)],
  };
  // Slack includes the full message for channel messages, not for ephemerals.
  if (message)
    payload.message = wireMessage(emu.state, input.shownBlocks ? { ...message, blocks: input.shownBlocks } : message);
  return { ...(await transport.postForm({ payload: JSON.stringify(payload) })), triggerId, responseUrl };
}
