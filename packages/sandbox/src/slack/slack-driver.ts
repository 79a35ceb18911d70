import { SlackApiError } from './api-error.ts';
import { SignedTransport } from './driver-transport.ts';
import type { DriverResponse, RawPostOptions } from './driver-transport.ts';
import { escapeCommandText } from './command-escaping.ts';
import { addEphemeral, messageContent, postBotMessage } from './message-store.ts';
import type { SlackEmulator } from './slack-emulator.ts';
import type { EmuChannel, EmuUser, Json } from './types.ts';
import { channelByRef, channelName, clickButton, type ClickInput, type ClickResult } from './button-clicks.ts';
import { closeView, submitView } from './view-interactions.ts';
import type { CloseViewInput, SubmitViewInput, SubmitViewResult } from './view-interactions.ts';

export type { DriverResponse, RawPostOptions } from './driver-transport.ts';
export type { ClickInput, ClickResult } from './button-clicks.ts';

export interface SlackDriverOptions {
  emulator: SlackEmulator;
  /** The bot's events endpoint, e.g. http://127.0.0.1:3000/slack/events. */
  requestUrl: string;
  signingSecret: string;
  /** Clock for X-Slack-Request-Timestamp (ms); defaults to the real clock, which is what the bot checks. */
  now?: () => number;
  /** The legacy verification token Slack still sends in payloads. */
  verificationToken?: string;
}

export interface CommandInput {
  user: string;
  channel: string;
  text?: string;
  command?: string;
  /** As typed in a client; escaped the way Slack escapes it (the manifest's should_escape: true) unless false. */
  escape?: boolean;
}

export interface CommandResult extends DriverResponse {
  responseUrl: string;
  triggerId: string;
  /** What Slack would show the user if the bot failed to ack (non-200 or slower than 3 s). */
  failure?: 'operation_timeout' | 'http_service_error';
}

export interface EventOptions {
  retryNum?: number;
  retryReason?: string;
  eventId?: string;
}

/** Slack waits 3 s for an ack before telling the user the app failed. */
const ACK_DEADLINE_MS = 3000;

/** Plays Slack's part towards the bot: signed slash commands, interactions and Events API deliveries. */
export class SlackDriver {
  private readonly emu: SlackEmulator;
  private readonly transport: SignedTransport;
  private readonly now: () => number;
  readonly verificationToken: string;

  constructor(options: SlackDriverOptions) {
    this.emu = options.emulator;
    this.now = options.now ?? Date.now;
    this.transport = new SignedTransport(options.requestUrl, options.signingSecret, this.now);
    this.verificationToken = options.verificationToken ?? 'sandbox-verification-token';
  }

  private user(ref: string): EmuUser {
    const user = this.emu.state.userByRef(ref);
    if (!user) throw new Error(`SlackDriver: no user ${ref}`);
    return user;
  }

  private channel(ref: string): EmuChannel {
    return channelByRef(this.emu, ref);
  }

  /** The last request this driver sent, for `replay` (the sandbox console shows a refused replay). */
  get lastRequest() {
    return this.transport.lastRequest;
  }

  /** Sends the last request again byte for byte, signature and timestamp included: a replay. */
  replayLast(): Promise<DriverResponse> {
    const last = this.transport.lastRequest;
    if (!last) throw new Error('SlackDriver: nothing has been sent yet');
    return this.transport.resend(last);
  }

  async command(input: CommandInput): Promise<CommandResult> {
    const user = this.user(input.user);
    const channel = this.channel(input.channel);
    const command = input.command ?? '/eafix';
    const triggerId = this.emu.issueTriggerId(user.id);
    const responseUrl = this.emu.issueResponseUrl({ channel: channel.id, user: user.id });
    const { teamId, teamDomain, appId } = this.emu.state.identity;
    const res = await this.transport.postForm({
      token: this.verificationToken,
      team_id: teamId,
      team_domain: teamDomain,
      channel_id: channel.id,
      channel_name: channelName(channel),
      user_id: user.id,
      user_name: user.name,
      command,
      text: input.escape === false ? (input.text ?? '') : escapeCommandText(this.emu.state, input.text ?? ''),
      api_app_id: appId,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
    });
    const result: CommandResult = { ...res, responseUrl, triggerId };
    const failure =
      res.status !== 200 ? 'http_service_error' : res.durationMs > ACK_DEADLINE_MS ? 'operation_timeout' : undefined;
    if (failure) {
      result.failure = failure;
      addEphemeral(this.emu.state, {
        channel: channel.id,
        user: user.id,
        text: `${command} failed with the error "${failure}"`,
        source: 'command_ack',
      });
      return result;
    }
    this.recordAck(res.body, channel.id, user.id);
    return result;
  }

  /** A slash command's synchronous response is shown to the invoker (or the channel for in_channel). */
  private recordAck(body: unknown, channel: string, user: string): void {
    const ack: Json | undefined =
      typeof body === 'string' ? (body ? { text: body } : undefined) : (body as Json | undefined);
    if (!ack || (ack.text === undefined && ack.blocks === undefined)) return;
    try {
      const content = messageContent(this.emu.state, ack);
      if (ack.response_type === 'in_channel') postBotMessage(this.emu.state, channel, content);
      else
        addEphemeral(this.emu.state, {
          channel,
          user,
          text: content.text,
          blocks: content.blocks,
          source: 'command_ack',
        });
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      addEphemeral(this.emu.state, {
        channel,
        user,
        text: `Slack rejected the response: ${error.error}`,
        source: 'command_ack',
      });
    }
  }

  clickButton(input: ClickInput): Promise<ClickResult> {
    return clickButton(this.emu, this.transport, this.verificationToken, input);
  }

  submitView(input: SubmitViewInput): Promise<SubmitViewResult> {
    return submitView(this.emu, this.transport, this.verificationToken, input);
  }

  closeView(input: CloseViewInput): Promise<DriverResponse | undefined> {
    return closeView(this.emu, this.transport, this.verificationToken, input);
  }

  /** Sends an event, resolving `user`/`channel` names to ids; app_home_opened gets Slack's extra fields. */
  event(input: Json & { type: string }, options: EventOptions = {}): Promise<DriverResponse & { eventId: string }> {
    const event: Json = { ...input };
    if (typeof event.user === 'string') event.user = this.user(event.user).id;
    if (typeof event.channel === 'string') event.channel = this.channel(event.channel).id;
    if (event.type === 'app_home_opened' && typeof event.user === 'string') {
      event.channel ??= this.emu.state.imChannelFor(event.user).id;
      event.tab ??= 'home';
      const home = this.emu.homeView(event.user);
      if (home) event.view = home.view;
    }
    event.event_ts ??= this.emu.state.nextTs();
    return this.sendEvent(event, options);
  }

  /** Wraps an event in the Events API envelope and delivers it (with retry headers when given). */
  async sendEvent(event: Json, options: EventOptions = {}): Promise<DriverResponse & { eventId: string }> {
    const { teamId, appId, botUserId } = this.emu.state.identity;
    const eventId = options.eventId ?? `Ev${this.emu.state.newId('').slice(1)}`;
    const envelope = {
      token: this.verificationToken,
      team_id: teamId,
      context_team_id: teamId,
      context_enterprise_id: null,
      api_app_id: appId,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(this.now() / 1000),
      authorizations: [
        { enterprise_id: null, team_id: teamId, user_id: botUserId, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${Buffer.from(eventId).toString('base64url')}`,
    };
    const headers: Record<string, string> = {};
    if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
    if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
    return { ...(await this.transport.postJson(envelope, { headers })), eventId };
  }

  urlVerification(challenge: string): Promise<DriverResponse> {
    return this.transport.postJson({ token: this.verificationToken, challenge, type: 'url_verification' });
  }

  /** Escape hatch for security tests: any body, forged signature, stale timestamp. */
  rawPost(options: RawPostOptions): Promise<DriverResponse> {
    return this.transport.post(options);
  }
}
