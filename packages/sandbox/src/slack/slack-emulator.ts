import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatorHttp } from './emulator-http.ts';
import { FailureInjector } from './failure-injection.ts';
import type { SlackFailureRule } from './failure-injection.ts';
import { sendJson } from './http-body.ts';
import { RateLimiter, resolveRateLimits } from './rate-limiter.ts';
import type { RateLimitConfig } from './rate-limiter.ts';
import { issueResponseUrl } from './response-url.ts';
import {
  seedChannel,
  seedUser,
  seedUsergroup,
  userIdOf,
  type NewChannel,
  type NewUser,
  type NewUsergroup,
} from './seeding.ts';
import { SlackState } from './state.ts';
import type {
  ApiCallRecord,
  EmuChannel,
  EmuEphemeral,
  EmuMessage,
  EmuUser,
  EmuUsergroup,
  EmuView,
  ResponseUrlSource,
} from './types.ts';
import { waitForChange } from './wait-for.ts';
import type { WaitForOptions } from './wait-for.ts';

export type { WaitForOptions } from './wait-for.ts';

export interface SlackEmulatorOptions {
  botToken: string;
  signingSecret: string;
  teamId?: string;
  botUserId?: string;
  rateLimits?: Partial<RateLimitConfig>;
  /** Clock in milliseconds; drives ts values, rate limits and trigger/response_url expiry. */
  now?: () => number;
  /** How long a trigger_id stays valid (Slack: 3 s). */
  triggerTtlMs?: number;
  /** The bot token's scopes, sent as Slack does in every Web API response's x-oauth-scopes header. */
  scopes?: readonly string[];
}

export interface ChangeEvent {
  description: string;
}

const RECENT_CHANGES = 20;

/** An in-process Slack workspace that speaks the Web API on loopback; the real WebClient points at it. */
export class SlackEmulator extends EventEmitter {
  readonly state: SlackState;
  readonly signingSecret: string;
  readonly botToken: string;
  /** Granted scopes; a test may change them (doctor's missing-scope warning). */
  scopes: readonly string[];
  private readonly http: EmulatorHttp;
  private readonly failures = new FailureInjector();
  private readonly recentChanges: string[] = [];
  private server: Server | undefined;
  private baseUrl = '';

  constructor(options: SlackEmulatorOptions) {
    super();
    this.setMaxListeners(0);
    const now = options.now ?? Date.now;
    const teamId = options.teamId ?? 'T0EAFIX';
    this.botToken = options.botToken;
    this.signingSecret = options.signingSecret;
    this.scopes = options.scopes ?? [];
    this.state = new SlackState(
      {
        teamId,
        teamDomain: 'eafix',
        teamName: 'EAFIX',
        botUserId: options.botUserId ?? 'U0EAFIXBOT',
        botId: 'B0EAFIXBOT',
        appId: 'A0EAFIXAPP',
      },
      now,
      (description) => this.noteChange(description),
    );
    this.http = new EmulatorHttp({
      state: this.state,
      limiter: new RateLimiter(resolveRateLimits(options.rateLimits), now),
      failures: this.failures,
      botToken: options.botToken,
      triggerTtlMs: options.triggerTtlMs ?? 3000,
      baseUrl: () => this.url,
      scopes: () => this.scopes,
    });
    const { botUserId, botId } = this.state.identity;
    this.state.users.set(botUserId, {
      id: botUserId,
      team_id: teamId,
      name: 'eafix',
      real_name: 'EAFIX',
      is_bot: true,
      deleted: false,
      profile: { real_name: 'EAFIX', display_name: 'eafix', bot_id: botId },
    });
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('SlackEmulator not started');
    return this.baseUrl;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  get teamId(): string {
    return this.state.identity.teamId;
  }

  get botUserId(): string {
    return this.state.identity.botUserId;
  }

  get appId(): string {
    return this.state.identity.appId;
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      this.http.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error', detail: String(error) });
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  // ---- seeding ----

  addUser(input: NewUser): EmuUser {
    return seedUser(this.state, input);
  }

  /** Members are user ids or names; the bot is a member only when listed (or `botMember`). */
  addChannel(input: NewChannel): EmuChannel {
    return seedChannel(this.state, input);
  }

  addUsergroup(input: NewUsergroup): EmuUsergroup {
    return seedUsergroup(this.state, input);
  }

  // ---- lookups for tests ----

  userId(nameOrId: string): string {
    return userIdOf(this.state, nameOrId);
  }

  channelId(nameOrId: string): string {
    return this.channelByName(nameOrId).id;
  }

  channelByName(nameOrId: string): EmuChannel {
    const channel = this.state.channelByRef(nameOrId);
    if (!channel) throw new Error(`SlackEmulator: no channel ${nameOrId}`);
    return channel;
  }

  /** Top-level messages of a channel, oldest first. */
  messages(channel: string): EmuMessage[] {
    return this.state.topLevel(this.channelId(channel));
  }

  /** Parent then replies, oldest first. */
  thread(channel: string, ts: string): EmuMessage[] {
    return this.state.threadOf(this.channelId(channel), ts);
  }

  latestMessage(channel: string): EmuMessage | undefined {
    return this.messages(channel).at(-1);
  }

  ephemerals(user: string, channel?: string): EmuEphemeral[] {
    const userId = this.userId(user);
    const channelId = channel === undefined ? undefined : this.channelId(channel);
    return this.state.ephemerals.filter(
      (e) => e.user === userId && !e.deleted && (channelId === undefined || e.channel === channelId),
    );
  }

  get views(): EmuView[] {
    return [...this.state.views.values()];
  }

  view(viewId: string): EmuView | undefined {
    return this.state.views.get(viewId);
  }

  /** The user's open modal stack, bottom first. */
  openModals(user: string): EmuView[] {
    return (this.state.modalStacks.get(this.userId(user)) ?? []).flatMap((id) => this.state.views.get(id) ?? []);
  }

  homeView(user: string): EmuView | undefined {
    const id = this.state.homeViews.get(this.userId(user));
    return id ? this.state.views.get(id) : undefined;
  }

  get calls(): ApiCallRecord[] {
    return this.state.calls;
  }

  callsTo(method: string): ApiCallRecord[] {
    return this.state.calls.filter((c) => c.method === method);
  }

  // ---- issued by the driver, as Slack issues them with each interaction ----

  issueTriggerId(user: string): string {
    const id = `${Math.floor(this.state.now() / 1000)}.${this.state.randomToken()}`;
    this.state.triggers.set(id, { id, user: this.userId(user), issuedAt: this.state.now(), used: false });
    return id;
  }

  issueResponseUrl(source: ResponseUrlSource): string {
    return issueResponseUrl(this.state, this.url, source);
  }

  // ---- failure injection ----

  /** Makes matching Web API calls fail as described until the returned function (or clearFailures) lifts it. */
  injectFailure(rule: SlackFailureRule): () => void {
    return this.failures.add(rule);
  }

  clearFailures(): void {
    this.failures.clear();
  }

  // ---- change notifications ----

  /** Resolves once `predicate(emu)` is truthy: checked now and after every state change. */
  waitFor<T>(predicate: (emu: SlackEmulator) => T, options: WaitForOptions = {}): Promise<NonNullable<T>> {
    return waitForChange(
      this,
      () => predicate(this),
      options,
      () => this.recentChanges.slice(-5),
    );
  }

  private noteChange(description: string): void {
    this.recentChanges.push(description);
    if (this.recentChanges.length > RECENT_CHANGES) this.recentChanges.shift();
    this.emit('change', { description } satisfies ChangeEvent);
  }
}
